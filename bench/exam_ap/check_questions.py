# Exam AP's pre-run check, adapted from bench/exam_al/check_questions.py: the YAML parses, ids are unique, every
# expected substring matches a row of the question's place (an event's date between its 開始日 and 終了日, dates with
# '/' read as '-'; events named by イベント名 in the 自治体標準 layout), every mention occurs in an expected row, and —
# added for this exam — the question is asked on or before the last day of each matched dated row and inside its
# 掲載開始日 .. 掲載終了日 where those are filled.
import yaml,csv,io,collections,os
base=os.path.dirname(os.path.abspath(__file__))+'/'
d=yaml.safe_load(open(base+'questions.yaml',encoding='utf-8'))
ids=[q['id'] for q in d['questions']]; assert len(ids)==len(set(ids)),'dup'
def day(s): return (s or '').replace('/','-')[:10]
def name(r): return r.get('名称') or r.get('イベント名') or ''
rows={}
for c,v in d['cities'].items():
    rr=[]
    for kind,fs in v.items():
        for f in fs:
            for r in csv.DictReader(io.open(base+f,encoding='utf-8',newline='')):
                rr.append((kind,r))
    rows[c]=rr
cnt=collections.Counter(); kinds=collections.Counter()
for q in d['questions']:
    cnt[q['city']]+=1; kinds[q['want']]+=1
    at=q['at'][:10]
    if q['want']=='nothing':
        assert not q.get('expect'); print(q['id'],'nothing'); continue
    matched=[]
    for e in q['expect']:
        m=[]
        if e.startswith('facility:'):
            n=e[9:]; m=[r for k,r in rows[q['city']] if k=='facilities' and n in name(r)]
        else:
            t,_,dt=e.partition('@')
            for k,r in rows[q['city']]:
                if k!='events' or t not in name(r): continue
                if dt and not (day(r['開始日'])<=dt<=day(r['終了日'])): continue
                m.append(r)
            for r in m:
                assert at<=day(r['終了日']),(q['id'],e,'asked after the event')
                if r.get('掲載開始日'): assert day(r['掲載開始日'])<=at,(q['id'],e,'asked before 掲載開始日')
                if r.get('掲載終了日'): assert at<=day(r['掲載終了日']),(q['id'],e,'asked after 掲載終了日')
        assert m, (q['id'],e)
        matched+=m
    for mn in q.get('mention',[]):
        assert any(mn in ','.join(r.values()) for r in matched),(q['id'],mn)
    print(q['id'],len(matched),'rows', q.get('lang',''), [name(r)[:14] for r in matched][:8])
print(cnt, kinds, len(ids), sum(1 for q in d['questions'] if q.get('lang')=='en'),'en')
