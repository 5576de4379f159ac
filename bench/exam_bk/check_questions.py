# Exam BK's checker, copied from exam AL's and adapted to 豊岡市's own event layout (title 行事・イベント名, dates
# 実施予定日（始期）/（終期） written 2024/10/5) and to TITLE@D1..D2; it also checks the brief's counts.
import yaml,csv,io,collections,datetime
d=yaml.safe_load(open(__import__('os').path.join(__import__('os').path.dirname(__file__),'questions.yaml')))
base=__import__('os').path.dirname(__import__('os').path.abspath(__file__))+'/'
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
cnt=collections.Counter(); en=0; nothing=0
for q in d['questions']:
    cnt[q['city']]+=1
    datetime.datetime.fromisoformat(q['at'])
    if q.get('lang')=='en': en+=1
    if q['want']=='nothing':
        nothing+=1
        assert not q.get('expect') and not q.get('mention'); continue
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
    print(q['id'],len(matched),'rows', q.get('lang',''))
print(cnt, len(ids), 'english', en, 'nothing', nothing)
assert len(ids)==50 and set(cnt.values())=={25} and en==3 and nothing==3
print('OK')
