import yaml,csv,collections,sys
d=yaml.safe_load(open('questions.yaml'))
base='.'
rows={}
for c,v in d['cities'].items():
    rows[c]=[]
    for kind,fs in v.items():
        for f in fs:
            for r in csv.DictReader(open(f,newline='',encoding='utf-8')):
                rows[c].append((kind,r))
ids=[q['id'] for q in d['questions']]
assert len(ids)==len(set(ids)),'dup'
cnt=collections.Counter(q['city'] for q in d['questions']); print(len(ids),cnt)
bad=0
for q in d['questions']:
    assert q['want'] in ('event','facility','nothing')
    if q['want']=='nothing':
        assert not q.get('expect'); continue
    matched=[]
    for e in q['expect']:
        hits=[]
        if e.startswith('facility:'):
            n=e[9:]
            hits=[r for k,r in rows[q['city']] if k=='facilities' and n in r['名称']]
        else:
            t,_,dt=e.partition('@')
            for k,r in rows[q['city']]:
                if k!='events' or t not in r['名称']: continue
                if dt:
                    a=r['開始日']; b=r['終了日'] or a
                    d1,_,d2=dt.partition('..'); d2=d2 or d1
                    if not (a<=d1 and d2<=b): continue
                hits.append(r)
        if not hits: print('NO MATCH',q['id'],e); bad+=1
        print(q['id'],e,'->',len(hits))
        matched+=hits
    for m in q.get('mention',[]):
        if not any(m in ','.join(r.values()) for r in matched): print('MENTION MISSING',q['id'],m); bad+=1
print('bad',bad)
