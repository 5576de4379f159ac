# Exam AL's checker, adapted for exam BA: the 浜松 file names its title イベント名 and leaves 終了日 empty on one-day rows
# (read as the 開始日); each event question must be asked after the row's 公開日 and before the event ends; the words of the
# `nothing` questions must occur in no row.
import yaml,csv,io,collections,os
base=os.path.dirname(os.path.abspath(__file__))+'/'
d=yaml.safe_load(open(base+'questions.yaml',encoding='utf-8'))
ids=[q['id'] for q in d['questions']]; assert len(ids)==len(set(ids)),'dup'
rows={}; text={}
for c,v in d['cities'].items():
    rr=[]; tt=''
    for kind,fs in v.items():
        for f in fs:
            tt+=open(base+f,encoding='utf-8').read()
            for r in csv.DictReader(io.open(base+f,encoding='utf-8',newline='')):
                rr.append((kind,r))
    rows[c]=rr; text[c]=tt
def title(r): return r.get('名称') or r.get('イベント名')
def span(r): return r['開始日'], (r['終了日'] or r['開始日'])
NOTHING={'hm27':['プール','水泳','スイミング','泳'],'hm28':['囲碁','将棋','碁'],'hy22':['温泉','銭湯','風呂','浴','湯']}
cnt=collections.Counter(); kinds=collections.Counter(); en=[]
for q in d['questions']:
    assert q['city'] in rows,(q['id'],'city')
    cnt[q['city']]+=1; kinds[q['want']]+=1
    if q.get('lang')=='en': en.append(q['id'])
    if q['want']=='nothing':
        assert not q.get('expect'); 
        for w in NOTHING[q['id']]: assert w not in text[q['city']],(q['id'],w)
        print(q['id'],'nothing'); continue
    matched=[]
    for e in q['expect']:
        m=[]
        if e.startswith('facility:'):
            n=e[9:]; m=[r for k,r in rows[q['city']] if k=='facilities' and n in r['名称']]
        else:
            t,_,dt=e.partition('@')
            for k,r in rows[q['city']]:
                if k!='events' or t not in r['イベント名']: continue
                s,en_=span(r)
                if dt and not (s<=dt<=en_): continue
                m.append(r)
        assert m, (q['id'],e)
        for r in m:
            if 'イベント名' in r:
                assert r['公開日']<=q['at'][:10]<=span(r)[1],(q['id'],'asked outside the listing',e)
        matched+=m
    for mn in q.get('mention',[]):
        assert any(mn in ','.join(r.values()) for r in matched),(q['id'],mn)
    print(q['id'],len(matched),'rows',q.get('lang',''),[title(r)[:24] for r in matched])
print(dict(cnt), dict(kinds), 'english', en, len(ids))
