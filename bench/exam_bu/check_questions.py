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
            n=e[9:]; m=[r for k,r in rows[q['city']] if k=='facilities' and n in (r.get('名称') or r.get('イベント名') or '')]
        else:
            t,_,dt=e.partition('@')
            for k,r in rows[q['city']]:
                if k!='events' or t not in (r.get('名称') or r.get('イベント名') or ''): continue
                if dt and not (r['開始日']<=dt<=r['終了日']): continue
                m.append(r)
        assert m, (q['id'],e)
        matched+=m
    for mn in q.get('mention',[]):
        assert any(mn in ','.join(r.values()) for r in matched),(q['id'],mn)
    print(q['id'],len(matched),'rows', q.get('lang',''))
print(cnt, len(ids))
