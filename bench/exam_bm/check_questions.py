import yaml,csv,io,collections
d=yaml.safe_load(open(__import__('os').path.join(__import__('os').path.dirname(__file__),'questions.yaml')))
base=__import__('os').path.dirname(__import__('os').path.abspath(__file__))+'/'
ids=[q['id'] for q in d['questions']]; assert len(ids)==len(set(ids)),'dup'
rows={}
for c,v in d['cities'].items():
    rr=[]
    for kind,fs in v.items():
        for f in fs:
            for r in csv.DictReader(io.open(base+f,encoding='utf-8',newline='')):
                rr.append((kind,r))
    rows[c]=rr
cnt=collections.Counter()
for q in d['questions']:
    cnt[q['city']]+=1
    if q['want']=='nothing':
        assert not q.get('expect'); continue
    matched=[]
    for e in q['expect']:
        m=[]
        if e.startswith('facility:'):
            n=e[9:]; m=[r for k,r in rows[q['city']] if k=='facilities' and n in r['名称']]
        else:
            t,_,dt=e.partition('@')
            d1,_,d2=dt.partition('..'); d2=d2 or d1
            for k,r in rows[q['city']]:
                # this layout names the title イベント名 (名称 in the base-registry layout); 終了日 is often empty
                title=r.get('名称') or r.get('イベント名') or ''
                if k!='events' or t not in title: continue
                end=r['終了日'] or r['開始日']
                if dt and not (r['開始日']<=d2 and d1<=end): continue
                m.append(r)
        assert m, (q['id'],e)
        matched+=m
    for mn in q.get('mention',[]):
        assert any(mn in ','.join(r.values()) for r in matched),(q['id'],mn)
    print(q['id'],len(matched),'rows', q.get('lang',''))
print(cnt, len(ids))
assert len(ids)==50 and all(v==25 for v in cnt.values()), cnt
assert sum(q.get('lang')=='en' for q in d['questions'])==3
assert sum(q['want']=='nothing' for q in d['questions'])==3
