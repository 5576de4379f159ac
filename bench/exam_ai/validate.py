import yaml,csv,io,collections,sys
D='bench/exam_ai/'
y=yaml.safe_load(open(D+'questions.yaml',encoding='utf-8'))
rows={}
for c,spec in y['cities'].items():
    rs=[]
    for kind,files in spec.items():
        for f in files:
            r=list(csv.DictReader(open(D+f,encoding='utf-8',newline='')))
            for x in r: x['_kind']=kind
            rs+=r
    rows[c]=rs
ids=[q['id'] for q in y['questions']]
assert len(ids)==len(set(ids)),[i for i,n in collections.Counter(ids).items() if n>1]
bad=0
for q in y['questions']:
    rs=rows[q['city']]
    if q['want']=='nothing':
        assert 'expect' not in q; continue
    matched=[]
    for e in q['expect']:
        m=[]
        if e.startswith('facility:'):
            n=e[9:]; m=[r for r in rs if r['_kind']=='facilities' and n in r['名称']]
        else:
            t,_,d=e.partition('@')
            for r in rs:
                if t not in r['名称']: continue
                if d:
                    d1,_,d2=d.partition('..'); d2=d2 or d1
                    if not (r['開始日']<=d1 and d2<=r['終了日']): continue
                m.append(r)
        if not m: print('NO MATCH',q['id'],e); bad+=1
        matched+=m
        print(q['id'],e,len(m))
    for men in q.get('mention',[]):
        if not any(men in ','.join(v for k,v in r.items() if isinstance(v,str)) for r in matched):
            print('MENTION MISSING',q['id'],men); bad+=1
c=collections.Counter(q['city'] for q in y['questions']); print(c, len(ids), 'en',sum(1 for q in y['questions'] if q.get('lang')=='en'),'nothing',sum(1 for q in y['questions'] if q['want']=='nothing'),'mentions',sum(1 for q in y['questions'] if q.get('mention')))
print('bad',bad); sys.exit(bad>0)
