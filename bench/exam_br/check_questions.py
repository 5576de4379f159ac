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
# exam BR: 豊岡 names its title 行事・イベント名 and its dates 実施予定日（始期）/（終期） as 2024/5/3; 浜松 names its title
# イベント名 and leaves 終了日 empty on rows of one day (the class's first day).
def title(r): return r.get('名称') or r.get('行事・イベント名') or r.get('イベント名') or ''
def iso(v):
    v=(v or '').strip()
    if '/' in v:
        y,m,d=v.split('/'); return '%04d-%02d-%02d'%(int(y),int(m),int(d))
    return v
def span(r):
    a=iso(r.get('開始日') or r.get('実施予定日（始期）')); b=iso(r.get('終了日') or r.get('実施予定日（終期）')) or a
    return a,max(a,b)
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
            for k,r in rows[q['city']]:
                if k!='events' or t not in title(r): continue
                if dt and not (span(r)[0]<=dt<=span(r)[1]): continue
                m.append(r)
        assert m, (q['id'],e)
        matched+=m
    for mn in q.get('mention',[]):
        assert any(mn in ','.join(r.values()) for r in matched),(q['id'],mn)
    print(q['id'],len(matched),'rows', q.get('lang',''))
print(cnt, len(ids))
