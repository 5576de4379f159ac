# Exam AS question checker (adapted from exam AL's): the YAML parses, ids are unique, every expected substring matches a
# row (an event's date between its 開始日 and 終了日; 岡崎市 writes dates 2026/08/02, 大阪府 2026-08-02), every mention occurs
# in an expected row, and the words of the `nothing` questions occur in no file.
import yaml,csv,io,collections,os
base=os.path.dirname(os.path.abspath(__file__))+'/'
d=yaml.safe_load(open(base+'questions.yaml',encoding='utf-8'))
ids=[q['id'] for q in d['questions']]; assert len(ids)==len(set(ids)),'dup'
rows={}
for c,v in d['cities'].items():
    rr=[]
    for kind,fs in v.items():
        for f in fs:
            for r in csv.DictReader(io.open(base+f,encoding='utf-8',newline='')):
                rr.append((kind,r))
    rows[c]=rr
name=lambda k,r: r['名称'] if k=='facilities' else r['イベント名']
day=lambda s: s.replace('/','-')
cnt=collections.Counter(); kinds=collections.Counter(); en=[]
for q in d['questions']:
    cnt[q['city']]+=1; kinds[q['want']]+=1
    if q.get('lang')=='en': en.append(q['id'])
    if q['want']=='nothing':
        assert not q.get('expect'); print(q['id'],'nothing'); continue
    matched=[]
    for e in q['expect']:
        m=[]
        if e.startswith('facility:'):
            n=e[9:]; m=[r for k,r in rows[q['city']] if k=='facilities' and n in r['名称']]
            assert q['want']=='facility',q['id']
        else:
            assert q['want']=='event',q['id']
            t,_,dt=e.partition('@')
            for k,r in rows[q['city']]:
                if k!='events' or t not in r['イベント名']: continue
                if dt and not (day(r['開始日'])<=dt<=day(r['終了日'])): continue
                if dt and not (q['at'][:10]<=dt): continue
                m.append(r)
        assert m, (q['id'],e)
        matched+=m
    for mn in q.get('mention',[]):
        assert any(mn in ','.join(r.values()) for r in matched),(q['id'],mn)
    print(q['id'],len(matched),'rows', q.get('lang',''))
allt=''.join(open(base+f,encoding='utf-8').read() for f in os.listdir(base) if f.endswith('.csv'))
for w in ['盆踊','将棋','囲碁','プール','泳']:
    assert w not in allt, w
print(dict(cnt), dict(kinds), 'english', en, len(ids))
