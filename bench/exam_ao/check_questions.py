import yaml,csv,io,collections,os
base=os.path.dirname(os.path.abspath(__file__))+'/'
d=yaml.safe_load(open(base+'questions.yaml',encoding='utf-8'))
ids=[q['id'] for q in d['questions']]; assert len(ids)==len(set(ids)),'dup'
def norm(s): return s.replace('/','-')
def title(r): return r.get('名称') or r.get('イベント名') or ''
rows={}
for c,v in d['cities'].items():
    rr=[]
    for kind,fs in v.items():
        for f in fs:
            for r in csv.DictReader(io.open(base+f,encoding='utf-8',newline='')):
                rr.append((kind,r))
    rows[c]=rr
cnt=collections.Counter(); en=0; nothing=0
for q in d['questions']:
    cnt[q['city']]+=1; en+=q.get('lang')=='en'
    if q['want']=='nothing':
        assert not q.get('expect'); nothing+=1; print(q['id'],'nothing'); continue
    matched=[]
    for e in q['expect']:
        m=[]
        if e.startswith('facility:'):
            n=e[9:]; m=[r for k,r in rows[q['city']] if k=='facilities' and n in title(r)]
        else:
            t,_,dt=e.partition('@')
            for k,r in rows[q['city']]:
                if k!='events' or t not in title(r): continue
                if dt and not (norm(r['開始日'])<=dt<=norm(r['終了日'])): continue
                m.append(r)
        assert m, (q['id'],e)
        matched+=m
    for mn in q.get('mention',[]):
        assert any(mn in ','.join(r.values()) for r in matched),(q['id'],mn)
    print(q['id'],len(matched),'rows', q.get('lang',''), [title(r)[:20] for r in matched][:4])
print(cnt, len(ids), 'english', en, 'nothing', nothing)
