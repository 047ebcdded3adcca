import csv,sys
sec=int(sys.argv[1]); top=int(sys.argv[2]) if len(sys.argv)>2 else 30
lines=open('/work/.device/1/prof140_sass.csv').read().split('\n')
starts=[i for i,l in enumerate(lines) if l.startswith('"Kernel Name"')]
s=starts[sec]; e=starts[sec+1] if sec+1<len(starts) else len(lines)
rows=list(csv.reader(lines[s+1:e]))
hdr=rows[0]; ix={h:i for i,h in enumerate(hdr)}
ins=[r for r in rows[1:] if len(r)==len(hdr)]
tot=sum(int(r[ix['Warp Stall Sampling (All Samples)']] or 0) for r in ins)
print(lines[s], 'instructions',len(ins),'samples',tot)
stalls=[h for h in hdr if h.startswith('stall_') and 'Not Issued' not in h]
def desc(r):
    d={h[6:]:int(r[ix[h]] or 0) for h in stalls}
    return ' '.join(f'{k}:{v}' for k,v in sorted(d.items(),key=lambda kv:-kv[1])[:3] if v)
mode=sys.argv[3] if len(sys.argv)>3 else 'top'
if mode=='top':
    for r in sorted(ins,key=lambda r:-int(r[ix['Warp Stall Sampling (All Samples)']] or 0))[:top]:
        print(r[0], f"{int(r[ix['Warp Stall Sampling (All Samples)']] or 0)/tot:6.3f}", r[ix['Instructions Executed']].rjust(8), r[1][:70].ljust(70), desc(r))
else:
    a,b=mode.split(':')
    for r in ins:
        if a<=r[0]<=b: print(r[0], f"{int(r[ix['Warp Stall Sampling (All Samples)']] or 0)/tot:6.3f}", r[ix['Instructions Executed']].rjust(8), r[1][:80].ljust(80), desc(r))
if mode=='top':
    from collections import Counter
    c=Counter(int(r[ix['Instructions Executed']] or 0) for r in ins)
    print('exec-count histogram (count: n instructions):', sorted(c.items(), key=lambda kv:-kv[0]*kv[1])[:12])
    # samples by exec count class
    sc=Counter()
    for r in ins: sc[int(r[ix['Instructions Executed']] or 0)]+=int(r[ix['Warp Stall Sampling (All Samples)']] or 0)
    print('samples by exec count:', sorted(sc.items(), key=lambda kv:-kv[1])[:10])
if mode=='top':
    for cnt in sorted(set(int(r[ix['Instructions Executed']] or 0) for r in ins), reverse=True):
        sel=[r for r in ins if int(r[ix['Instructions Executed']] or 0)==cnt]
        agg=Counter()
        for r in sel:
            for h in stalls: agg[h[6:]]+=int(r[ix[h]] or 0)
        t=sum(agg.values())
        if t>=10: print(cnt, len(sel), t, ' '.join(f'{k}:{v}' for k,v in agg.most_common(7)))
