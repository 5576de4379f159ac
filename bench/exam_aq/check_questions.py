# Checks questions.yaml against the files beside it (adapted from exam AL's checker): the YAML parses, ids are unique,
# every expectation matches a row (an event's date between its 開始日 and 終了日), every mention occurs in an expected row.
# Event files here name the title イベント名 (the 浜松市 38-column layout); facility files 名称.
import collections, csv, io, os, yaml
base = os.path.dirname(os.path.abspath(__file__)) + '/'
d = yaml.safe_load(open(base + 'questions.yaml', encoding='utf-8'))
ids = [q['id'] for q in d['questions']]; assert len(ids) == len(set(ids)), 'dup'
rows = {}
for c, v in d['cities'].items():
    rr = []
    for kind, fs in v.items():
        for f in fs:
            for r in csv.DictReader(io.open(base + f, encoding='utf-8', newline='')):
                rr.append((kind, r))
    rows[c] = rr
def title(r): return r.get('名称') or r.get('イベント名') or ''
cnt = collections.Counter()
for q in d['questions']:
    cnt[q['city']] += 1
    if q['want'] == 'nothing':
        assert not q.get('expect'); print(q['id'], 'nothing'); continue
    matched = []
    for e in q['expect']:
        m = []
        if e.startswith('facility:'):
            n = e[9:]; m = [r for k, r in rows[q['city']] if k == 'facilities' and n in title(r)]
        else:
            t, _, dt = e.partition('@')
            for k, r in rows[q['city']]:
                if k != 'events' or t not in title(r): continue
                if dt and not (r['開始日'] <= dt <= r['終了日']): continue
                m.append(r)
        assert m, (q['id'], e)
        matched += m
    for mn in q.get('mention', []):
        assert any(mn in ','.join(r.values()) for r in matched), (q['id'], mn)
    print(q['id'], len(matched), 'rows', q.get('lang', ''), [title(r)[:20] + ' ' + r.get('開始日', '') for r in matched][:4])
print(cnt, len(ids))
