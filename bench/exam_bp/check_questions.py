# Exam AL's checker, adapted to exam BP's layouts: the 豊岡市 event files name the title 行事・イベント名 and the dates
# 実施予定日（始期）/実施予定日（終期） written 2025/4/6 (read here as ISO dates); an expectation TITLE@D1..D2 matches a row
# that overlaps D1..D2. Facilities are matched on 名称 as before.
import yaml,csv,io,collections,os,datetime
base=os.path.dirname(os.path.abspath(__file__))+'/'
d=yaml.safe_load(open(base+'questions.yaml',encoding='utf-8'))
ids=[q['id'] for q in d['questions']]; assert len(ids)==len(set(ids)),'dup'
def iso(s):
    y,m,dd=s.split('/'); return datetime.date(int(y),int(m),int(dd)).isoformat()
rows={}
for c,v in d['cities'].items():
    rr=[]
    for kind,fs in v.items():
        for f in fs:
            for r in csv.DictReader(io.open(base+f,encoding='utf-8',newline='')):
                if kind=='events':
                    r['名称']=r['行事・イベント名']; r['開始日']=iso(r['実施予定日（始期）']); r['終了日']=iso(r['実施予定日（終期）'])
                rr.append((kind,r))
    rows[c]=rr
cnt=collections.Counter(); kinds=collections.Counter(); en=0
for q in d['questions']:
    cnt[q['city']]+=1; kinds[q['want']]+=1; en+=q.get('lang')=='en'
    if q['want']=='nothing':
        assert not q.get('expect') and not q.get('mention'); print(q['id'],'nothing'); continue
    matched=[]
    for e in q['expect']:
        m=[]
        if e.startswith('facility:'):
            assert q['want']=='facility',q['id']
            n=e[9:]; m=[r for k,r in rows[q['city']] if k=='facilities' and n in r['名称']]
        else:
            assert q['want']=='event',q['id']
            t,_,dt=e.partition('@')
            d1,_,d2=dt.partition('..'); d2=d2 or d1
            for k,r in rows[q['city']]:
                if k!='events' or t not in r['名称']: continue
                if dt and not (r['開始日']<=d2 and d1<=r['終了日']): continue
                m.append(r)
        assert m, (q['id'],e)
        matched+=m
    for mn in q.get('mention',[]):
        assert any(mn in ','.join(r.values()) for r in matched),(q['id'],mn)
    print(q['id'],len(matched),'rows', q.get('lang',''), [r['名称'][:14] for r in matched])
print(dict(cnt), dict(kinds), 'english', en, 'total', len(ids))
assert len(ids)==50 and all(v==25 for v in cnt.values()) and kinds['nothing']==3 and en==3
