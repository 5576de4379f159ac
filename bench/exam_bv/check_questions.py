# Checks questions.yaml against the rows (adapted from exam AL's checker for the two event layouts of this exam:
# 豊岡市's 行事・イベント名 / 実施予定日（始期） / 実施予定日（終期） with 2024/8/1 dates, and 浜松市's イベント名 / 開始日 / 終了日
# with ISO dates and an empty 終了日 meaning the start day).
import yaml,csv,io,collections,os,datetime
base=os.path.dirname(os.path.abspath(__file__))+'/'
d=yaml.safe_load(open(base+'questions.yaml',encoding='utf-8'))
ids=[q['id'] for q in d['questions']]; assert len(ids)==len(set(ids)),'dup'
def iso(s):
    s=s.strip()
    if not s: return ''
    y,m,dd=s.replace('/','-').split('-'); return datetime.date(int(y),int(m),int(dd)).isoformat()
def norm(r):
    name=r.get('名称') or r.get('イベント名') or r.get('行事・イベント名')
    st=iso(r.get('開始日') or r.get('実施予定日（始期）') or '')
    en=iso(r.get('終了日') or r.get('実施予定日（終期）') or '') or st
    return name,st,en
rows={}
for c,v in d['cities'].items():
    rr=[]
    for kind,fs in v.items():
        for f in fs:
            for r in csv.DictReader(io.open(base+f,encoding='utf-8',newline='')):
                rr.append((kind,r))
    rows[c]=rr
cnt=collections.Counter(); kinds=collections.Counter(); en=0
for q in d['questions']:
    cnt[q['city']]+=1; kinds[q['want']]+=1
    if q.get('lang')=='en': en+=1
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
                name,st,en_=norm(r)
                if k!='events' or t not in name: continue
                if dt and not (st<=d2 and d1<=en_): continue
                m.append(r)
        assert m, (q['id'],e)
        matched+=m
    for mn in q.get('mention',[]):
        assert any(mn in ','.join(r.values()) for r in matched),(q['id'],mn)
    print(q['id'],len(matched),'rows', q.get('lang',''))
print(cnt, kinds, 'english', en, len(ids))
