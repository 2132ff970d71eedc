// The report page: styles and the script that draws the run from the embedded JSON (lanes,
// arrows, marks, fault bands, counters), with zoom, pan, a filter and details on click. The
// script also publishes what it drew in #hook's data-* attributes (and window.simsockReport), so
// a browser test can compare the drawing with the trace. URL fragment options: #zoom=F (zoom by F
// around the middle), #filter=pair:A-B or conn:N, #acks=1 (show pure ACKs).
#include <simsock/tools/report/html_report.hpp>

namespace simsock::report {
namespace {

constexpr const char* k_head = R"HTML(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>)HTML";

constexpr const char* k_style = R"HTML(</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{padding:10px 16px;background:#fff;border-bottom:1px solid #ddd}
h1{font-size:18px;margin:0 0 4px}
.pass{color:#187a2f;font-weight:bold}.fail{color:#b3261e;font-weight:bold}
code{background:#f0f0f0;padding:1px 4px;border-radius:3px}
ul.checks{margin:4px 0;padding-left:18px}
#controls{padding:6px 16px;display:flex;gap:8px;align-items:center;flex-wrap:wrap;background:#f3f3f3;border-bottom:1px solid #ddd}
#main{display:block;width:100%;cursor:grab}
#counters{display:block;width:100%;border-top:1px solid #ddd}
#details{padding:6px 16px;min-height:40px;background:#fff;border-top:1px solid #ddd;white-space:pre-wrap;font-family:monospace}
.legend span{margin-right:10px}.sw{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:3px}
</style></head><body>
<header id="head"></header>
<div id="controls">
<button id="zin">zoom in</button><button id="zout">zoom out</button><button id="zreset">everything</button>
<label>show <select id="filter"><option value="all">everything</option></select></label>
<label><input type="checkbox" id="acks"> pure ACKs</label>
<span class="legend"><span><i class="sw" style="background:#1f5fbf"></i>TCP data</span><span><i class="sw" style="background:#2e8b57"></i>UDP</span><span><i class="sw" style="background:#e67e00"></i>retransmit</span><span><i class="sw" style="background:#8e44ad"></i>duplicate</span><span><i class="sw" style="background:#d6338a"></i>reordered</span><span><i class="sw" style="background:#555"></i>SYN/FIN/ACK</span><span><i class="sw" style="background:#d00"></i>RST / drop</span><span><i class="sw" style="background:rgba(255,170,0,.5)"></i>fault</span></span>
<span id="range"></span>
</div>
<canvas id="main" height="400"></canvas>
<canvas id="counters" height="120"></canvas>
<div id="details">Click an arrow or a mark for its details. Wheel: zoom; drag: pan.</div>
<div id="hook" hidden></div>
<script type="application/json" id="data">)HTML";

constexpr const char* k_script = R"HTML(</script>
<script>
"use strict";
(function(){
const D=JSON.parse(document.getElementById('data').textContent);
const S=D.strings,H=D.header;
const F={tcp:1,syn:2,fin:4,rst:8,ack:16,data:32,rx:64,dup:128,reord:256,drop:512,held:1024,delayed:2048};
const items=D.items.map(a=>({kind:a[0],t:a[1],end:a[2],from:a[3],to:a[4],flags:a[5],len:a[6],seq:a[7],label:a[8],reason:a[9],detail:a[10],src:a[11],dst:a[12],conn:a[13]}));
const str=i=>i>=0?S[i]:'';
function esc(s){return String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
function fmt(ns){const a=Math.abs(ns);if(a>=1e9)return (ns/1e9).toFixed(a>=1e10?1:3)+'s';if(a>=1e6)return (ns/1e6).toFixed(a>=1e7?1:3)+'ms';if(a>=1e3)return (ns/1e3).toFixed(1)+'us';return ns+'ns';}
// ---- header
(function(){
  let h='<h1>'+esc(H.title)+' <span class="'+(H.passed?'pass">PASS':'fail">FAIL')+'</span></h1>';
  if(H.description)h+='<div>'+esc(H.description)+'</div>';
  h+='<div>'+(H.file?'file <code>'+esc(H.file)+'</code> · ':'')+'seed <code>'+esc(H.seed)+'</code> · virtual time '+fmt(H.virtual_time_ns)+' · digest <code>'+esc(H.digest)+'</code></div>';
  h+='<ul class="checks">';
  for(const c of H.checks)h+='<li><span class="'+(c.passed?'pass">✓':'fail">✗')+'</span> '+esc(c.what)+(c.detail?': '+esc(c.detail):'')+'</li>';
  h+='</ul>';
  if(H.processes.length){h+='<div>processes: '+H.processes.map(p=>esc(p.name)+' on '+esc(p.host)+' ('+esc(p.app)+') '+esc(p.state)+(p.exit_code!==null?' '+p.exit_code:'')).join(' · ')+'</div>';}
  if(H.replay)h+='<div>replay: <code>'+esc(H.replay)+'</code></div>';
  if(D.summarised>0)h+='<div class="fail">'+D.summarised+' later packets and events are only counted ('+esc(Object.entries(D.summarised_kinds).map(e=>e[0]+': '+e[1]).join(', '))+'); the counters cover the whole run.</div>';
  document.getElementById('head').innerHTML=h;
})();
// ---- lanes, faults, filter
const lanes=D.lanes.map((n,i)=>({name:n,procs:H.processes.filter(p=>p.host===n).map(p=>p.name)}));
let T1=Math.max(1,H.virtual_time_ns);
let maxSpan=0;
for(const it of items){T1=Math.max(T1,it.t,it.end);if(it.end>it.t)maxSpan=Math.max(maxSpan,it.end-it.t);}
const bands=[],instants=[];
(function(){
  const open={};
  const starts={partition:'heal',clog:'release',crash:'restart'};
  const ends={heal:'partition',release:'clog',restart:'crash'};
  for(const it of items){
    if(it.kind!==1||str(it.label)!=='fault')continue;
    const d=str(it.detail),sp=d.indexOf(' '),verb=sp<0?d:d.slice(0,sp),rest=sp<0?'':d.slice(sp+1);
    if(starts[verb]){(open[verb+' '+rest]=open[verb+' '+rest]||[]).push(it);}
    else if(ends[verb]&&open[ends[verb]+' '+rest]&&open[ends[verb]+' '+rest].length){const s=open[ends[verb]+' '+rest].shift();bands.push({t0:s.t,t1:it.t,what:str(s.detail)+' until '+d,host:verb==='restart'?lanes.findIndex(l=>l.name===rest):-1});}
    else instants.push(it);
  }
  for(const k in open)for(const s of open[k]){const d=str(s.detail);bands.push({t0:s.t,t1:T1,what:d+' (to the end)',host:d.startsWith('crash ')?lanes.findIndex(l=>l.name===d.slice(6)):-1});}
})();
const sel=document.getElementById('filter');
(function(){
  const pairs=new Set(),conns=new Map();
  for(const it of items){if(it.kind!==0)continue;if(it.from>=0&&it.to>=0){const a=Math.min(it.from,it.to),b=Math.max(it.from,it.to);pairs.add(a+'-'+b);}if(it.conn>=0&&!conns.has(it.conn))conns.set(it.conn,str(it.conn));}
  for(const p of [...pairs].sort()){const [a,b]=p.split('-').map(Number);const o=document.createElement('option');o.value='pair:'+p;o.textContent='hosts '+lanes[a].name+' <-> '+lanes[b].name;sel.appendChild(o);}
  for(const [id,name] of conns){const o=document.createElement('option');o.value='conn:'+id;o.textContent=name;sel.appendChild(o);}
})();
// ---- state
const opts={};for(const kv of location.hash.slice(1).split('&')){const i=kv.indexOf('=');if(i>0)opts[decodeURIComponent(kv.slice(0,i))]=decodeURIComponent(kv.slice(i+1));}
let A0=Infinity,A1=0;for(const it of items){A0=Math.min(A0,it.t);A1=Math.max(A1,it.t,it.end);}
if(!(A1>A0)){A0=0;A1=T1;}
const pad=Math.max(1000,(A1-A0)*0.04);A0=Math.max(-pad,A0-pad);A1=A1+pad;
let v0=A0,v1=A1,filter='all',showAcks=opts.acks==='1';
document.getElementById('acks').checked=showAcks;
if(opts.filter&&[...sel.options].some(o=>o.value===opts.filter)){filter=opts.filter;sel.value=filter;}
const main=document.getElementById('main'),cnt=document.getElementById('counters'),hook=document.getElementById('hook');
const LEFT=150,TOP=28,LANE=Math.max(60,Math.min(110,340/Math.max(1,lanes.length)));
let drawn=[];
function passes(it){
  if(it.kind===0){
    if(!showAcks&&(it.flags&F.tcp)&&!(it.flags&(F.data|F.syn|F.fin|F.rst)))return false;
    if(filter.startsWith('pair:')){const [a,b]=filter.slice(5).split('-').map(Number);return (it.from===a&&it.to===b)||(it.from===b&&it.to===a);}
    if(filter.startsWith('conn:'))return it.conn===Number(filter.slice(5));
    return true;
  }
  if(filter.startsWith('pair:')){const [a,b]=filter.slice(5).split('-').map(Number);return it.from<0||it.from===a||it.from===b;}
  if(filter.startsWith('conn:')){const c=str(Number(filter.slice(5)));return it.from<0||str(it.label).startsWith('process')||(it.src>=0&&c.includes(str(it.src)))||(it.dst>=0&&c.includes(str(it.dst)));}
  return true;
}
function lowerBound(t){let lo=0,hi=items.length;while(lo<hi){const m=(lo+hi)>>1;if(items[m].t<t)lo=m+1;else hi=m;}return lo;}
function colour(it){const f=it.flags;if(f&F.rst)return '#d00';if(f&F.dup)return '#8e44ad';if(f&F.rx)return '#e67e00';if(f&F.reord)return '#d6338a';if(!(f&F.tcp))return '#2e8b57';if(f&(F.syn|F.fin)||!(f&F.data))return '#555';return '#1f5fbf';}
function packetLabel(it){const f=it.flags;let l=[];if(f&F.syn)l.push(f&F.ack?'SYN-ACK':'SYN');if(f&F.fin)l.push('FIN');if(f&F.rst)l.push('RST');if(!(f&F.tcp))l.push('UDP '+it.len+'B');else if(it.len>0)l.push((f&F.rx?'retransmit ':'')+'seq '+it.seq+' len '+it.len);else if(!l.length)l.push('ACK '+it.seq);if(f&F.dup)l.push('duplicate');if(f&F.reord)l.push('reordered');return l.join(' ');}
function bundleLabel(its){const f=its[0].flags;let bytes=0,lo=Infinity,hi=-1;for(const p of its){bytes+=Math.max(0,p.len);if(p.seq>=0&&p.len>0){lo=Math.min(lo,p.seq);hi=Math.max(hi,p.seq+p.len);}}const what=!(f&F.tcp)?'datagrams':its[0].len>0?(f&F.rx?'retransmitted segments':'segments'):'packets';return its.length+' '+what+(hi>=0?', seq '+lo+'..'+hi:'')+(bytes>0?' ('+bytes+' bytes)':'');}
function draw(){
  const began=performance.now();
  const W=main.clientWidth||1200;main.width=W;const Hh=TOP+LANE*lanes.length+20;main.height=Hh;
  const c=main.getContext('2d');c.fillStyle='#fff';c.fillRect(0,0,W,Hh);
  const span=v1-v0,x=t=>LEFT+(t-v0)/span*(W-LEFT-12),y=l=>TOP+LANE*l+LANE/2;
  drawn=[];let nArrows=0,nDrops=0,nMarks=0,nBands=0;
  // fault bands
  for(const b of bands){if(b.t1<v0||b.t0>v1)continue;const x0=Math.max(LEFT,x(b.t0)),x1=Math.min(W,Math.max(x(b.t1),x0+2));c.fillStyle='rgba(255,170,0,.22)';if(b.host>=0)c.fillRect(x0,y(b.host)-LANE/2,x1-x0,LANE);else c.fillRect(x0,TOP-6,x1-x0,LANE*lanes.length+6);c.fillStyle='#a65f00';c.font='11px sans-serif';c.fillText(b.what,x0+3,TOP-10+(nBands%2)*0);nBands++;drawn.push({kind:'band',x0,x1,y0:TOP,y1:Hh,b});}
  // lanes
  c.font='bold 13px sans-serif';
  for(let i=0;i<lanes.length;i++){c.strokeStyle='#bbb';c.lineWidth=1;c.beginPath();c.moveTo(LEFT,y(i));c.lineTo(W-8,y(i));c.stroke();c.fillStyle='#222';c.font='bold 13px sans-serif';c.fillText(lanes[i].name,8,y(i)-2);c.font='11px sans-serif';c.fillStyle='#666';c.fillText(lanes[i].procs.join(', '),8,y(i)+13);}
  // time axis
  c.fillStyle='#444';c.font='11px sans-serif';const step=niceStep(span/8);
  for(let t=Math.ceil(v0/step)*step;t<=v1;t+=step){const xx=x(t);c.fillRect(xx,TOP-16,1,5);c.fillText(fmt(t),xx+2,TOP-18+8);}
  // arrows: packets of one connection with the same send and arrival instants and lanes (a
  // burst of segments) are drawn as one bundle whose label and details list them all
  const start=lowerBound(v0-maxSpan),stop=lowerBound(v1+1);
  const groups=[];
  for(let i=start;i<stop;i++){
    const it=items[i];if(it.kind!==0||!passes(it))continue;
    const end=it.end>=0?it.end:(it.flags&F.held?T1:it.t);
    if(end<v0||it.t>v1||it.from<0||it.to<0)continue;
    const g=groups.length?groups[groups.length-1]:null;
    if(g&&g.t===it.t&&g.end===end&&g.from===it.from&&g.to===it.to&&g.its[0].conn===it.conn&&colour(g.its[0])===colour(it)&&(g.its[0].flags&(F.drop|F.data))===(it.flags&(F.drop|F.data))){g.its.push(it);continue;}
    groups.push({t:it.t,end,from:it.from,to:it.to,its:[it]});
  }
  let bundleConns=0;for(const g of groups)bundleConns=Math.max(bundleConns,new Set(g.its.map(p=>p.conn)).size);
  const labelEnd={};
  // Zoomed far out, arrows that would land on the same pixels are stroked once (still counted).
  const dense=groups.length>20000,seen=new Set();
  for(const g of groups){
    const it=g.its[0];
    const x0=x(g.t),y0=y(g.from),x1=x(g.end);let y1=y(g.to);
    if(dense){const key=g.from+'/'+g.to+'/'+(x0|0)+'/'+(x1|0)+'/'+(it.flags&(F.drop|F.tcp|F.dup|F.rx));if(seen.has(key)){nArrows+=g.its.length;if(it.flags&F.drop)nDrops+=g.its.length;continue;}seen.add(key);}
    const dropped=(it.flags&F.drop)!==0;if(dropped)y1=(y0+y1)/2;
    c.strokeStyle=colour(it);c.lineWidth=((it.flags&F.data)?1.6:1)+Math.min(3,Math.log2(g.its.length));c.setLineDash((it.flags&(F.dup|F.held))?[4,3]:[]);
    c.beginPath();c.moveTo(x0,y0);c.lineTo(x1,y1);c.stroke();c.setLineDash([]);c.lineWidth=1;
    if(!dropped){const a=Math.atan2(y1-y0,x1-x0);c.fillStyle=colour(it);c.beginPath();c.moveTo(x1,y1);c.lineTo(x1-7*Math.cos(a-0.4),y1-7*Math.sin(a-0.4));c.lineTo(x1-7*Math.cos(a+0.4),y1-7*Math.sin(a+0.4));c.fill();}
    else{for(let k=0;k<g.its.length;k++){cross(c,x1,y1);nDrops++;}c.fillStyle='#d00';c.font='10px sans-serif';c.fillText(str(it.reason),x1+5,y1+3);}
    const label=g.its.length>1?bundleLabel(g.its):packetLabel(it);
    c.font='10px sans-serif';const lx=Math.min(x0,x1)+4,ly=(y0+y1)/2+(y1<y0?-3:11),row=Math.round(ly),w=c.measureText(label).width;
    if(x1-x0>24&&(labelEnd[row]===undefined||lx>labelEnd[row]+6)){c.fillStyle='#333';c.fillText(label,lx,ly);labelEnd[row]=lx+w;}
    nArrows+=g.its.length;drawn.push({kind:'arrow',x0,y0,x1,y1,it,group:g.its});
  }
  // marks
  for(let i=lowerBound(v0);i<stop;i++){
    const it=items[i];if(it.kind!==1||!passes(it))continue;const k=str(it.label),xx=x(it.t);
    if(k==='fault'){if(bands.some(b=>b.t0===it.t||b.t1===it.t))continue;c.strokeStyle='#a65f00';c.setLineDash([3,3]);c.beginPath();c.moveTo(xx,TOP-6);c.lineTo(xx,TOP+LANE*lanes.length);c.stroke();c.setLineDash([]);c.fillStyle='#a65f00';c.fillText(str(it.detail),xx+3,TOP+LANE*lanes.length+12);nMarks++;drawn.push({kind:'mark',x0:xx,y0:TOP,x1:xx,y1:TOP+LANE*lanes.length,it});continue;}
    if(it.from<0)continue;const yy=y(it.from);
    if(k==='udp.drop'||k==='tcp.drop'){cross(c,xx,yy-8);c.fillStyle='#d00';c.font='10px sans-serif';c.fillText(str(it.reason),xx+5,yy-12);nDrops++;}
    else if(k==='process.start'){c.fillStyle='#187a2f';tri(c,xx,yy-LANE/2+14);c.fillText(str(it.detail).split(' ')[0]+' starts',xx+6,yy-LANE/2+18);}
    else if(k==='process.exit'){const d=str(it.detail),ok=/ exit 0$/.test(d);c.fillStyle=ok?'#187a2f':'#b3261e';c.fillRect(xx-4,yy-LANE/2+10,8,8);c.fillText(d,xx+6,yy-LANE/2+18);}
    else{c.fillStyle=k==='tcp.refused'?'#d00':'#555';c.beginPath();c.arc(xx,yy,3.5,0,7);c.fill();c.font='10px sans-serif';c.fillText(k.slice(4),xx+4,yy+14);}
    nMarks++;drawn.push({kind:'mark',x0:xx,y0:yy-LANE/2,x1:xx,y1:yy,it});
  }
  document.getElementById('range').textContent=fmt(v0)+' … '+fmt(v1)+' ('+items.length+' items)';
  drawCounters(W,x);
  let painted=0;try{const px=c.getImageData(0,0,W,Hh).data;for(let i=0;i<px.length;i+=64)if(px[i]<250||px[i+1]<250||px[i+2]<250)painted++;}catch(e){painted=-1;}
  const box=main.getBoundingClientRect();
  const r={lanes:lanes.length,arrows:nArrows,drops:nDrops,marks:nMarks,bands:nBands,bundles:groups.length,bundleconns:bundleConns,maintop:Math.round(box.top+window.scrollY),mainheight:Math.round(box.height),view0:v0,view1:v1,filter,acks:showAcks?1:0,items:items.length,painted,drawms:Math.round(performance.now()-began),loadms:Math.round(performance.now())};
  for(const k in r)hook.dataset[k]=String(r[k]);
  window.simsockReport.last=r;
}
function cross(c,x,y){c.strokeStyle='#d00';c.lineWidth=2;c.beginPath();c.moveTo(x-5,y-5);c.lineTo(x+5,y+5);c.moveTo(x+5,y-5);c.lineTo(x-5,y+5);c.stroke();c.lineWidth=1;}
function tri(c,x,y){c.beginPath();c.moveTo(x-5,y+5);c.lineTo(x+5,y+5);c.lineTo(x,y-4);c.fill();}
function niceStep(s){const p=Math.pow(10,Math.floor(Math.log10(Math.max(s,1))));for(const m of [1,2,5,10])if(m*p>=s)return m*p;return 10*p;}
function drawCounters(W,x){
  const c=cnt.getContext('2d');cnt.width=W;const Hc=cnt.height;c.fillStyle='#fff';c.fillRect(0,0,W,Hc);
  const sm=D.samples;const series=[['bytes delivered',1,'#1f5fbf'],['drops',2,'#d00'],['retransmits',3,'#e67e00']];
  c.font='11px sans-serif';let lx=8;
  for(const [name,k,col] of series){
    let real=0;for(const s of sm)real=Math.max(real,s[k]);const max=Math.max(1,real);
    let atEnd=0;for(const s of sm)if(s[0]<=v1)atEnd=s[k];
    c.strokeStyle=col;c.lineWidth=1.5;c.beginPath();let py=Hc-8;c.moveTo(LEFT,py);
    for(const s of sm){const xx=x(s[0]);if(xx<LEFT)continue;if(xx>W)break;const yy=Hc-8-(s[k]/max)*(Hc-24);c.lineTo(xx,py);c.lineTo(xx,yy);py=yy;}
    c.lineTo(W-8,py);c.stroke();c.fillStyle=col;c.fillText(name+': '+atEnd+' (max '+real+')',8,16+14*(k-1));lx+=1;
  }
}
function detail(d){
  if(d.kind==='band')return 'fault '+d.b.what+'\nfrom '+fmt(d.b.t0)+' to '+fmt(d.b.t1);
  const it=d.it;
  if(d.group&&d.group.length>1)return d.group.length+' packets sent together, arriving together:\n'+d.group.slice(0,40).map(p=>detail({kind:'arrow',it:p}).split('\n').slice(0,3).join(' | ')).join('\n')+(d.group.length>40?'\n...':'');
  if(it.kind===0){const f=it.flags,l=[];for(const k in F)if(f&F[k])l.push(k);
    return packetLabel(it)+'\n'+str(it.src)+' -> '+str(it.dst)+' ('+lanes[it.from].name+' -> '+lanes[it.to].name+')\nsent '+fmt(it.t)+(it.end>=0&&!(f&F.drop)?', arrives '+fmt(it.end)+' (after '+fmt(it.end-it.t)+')':'')+(f&F.drop?', dropped: '+str(it.reason):'')+(f&F.held?', held by a clog':'')+'\nflags: '+l.join(' ')+'\n'+str(it.conn);}
  return str(it.label)+' at '+fmt(it.t)+(it.detail>=0?'\n'+str(it.detail):'')+(it.src>=0?'\n'+str(it.src)+' -> '+str(it.dst):'')+(it.reason>=0?'\nreason: '+str(it.reason):'');
}
function pick(px,py){let best=null,bd=7;for(const d of drawn){const dx=d.x1-d.x0,dy=d.y1-d.y0,L=dx*dx+dy*dy;let u=L?((px-d.x0)*dx+(py-d.y0)*dy)/L:0;u=Math.max(0,Math.min(1,u));const ex=d.x0+u*dx-px,ey=d.y0+u*dy-py,dist=Math.sqrt(ex*ex+ey*ey);if(d.kind==='band'){if(px>=d.x0&&px<=d.x1&&py>=d.y0&&py<=d.y1&&!best){best=d;}continue;}if(dist<bd){bd=dist;best=d;}}return best;}
function zoom(f,at){const t=at===undefined?(v0+v1)/2:at;const span=Math.max(50,(v1-v0)/f);v0=Math.max(-span*0.5,t-(t-v0)/f);v1=v0+span;draw();}
function toTime(px){const W=main.width;return v0+(px-LEFT)/(W-LEFT-12)*(v1-v0);}
window.simsockReport={draw,zoom:f=>zoom(f),setFilter:v=>{filter=v;sel.value=v;draw();},setAcks:b=>{showAcks=b;draw();},reset:()=>{v0=A0;v1=A1;draw();},last:null};
main.addEventListener('wheel',e=>{e.preventDefault();zoom(e.deltaY<0?1.25:0.8,toTime(e.offsetX));},{passive:false});
let drag=null;
main.addEventListener('mousedown',e=>{drag={x:e.offsetX,v0,v1,moved:false};main.style.cursor='grabbing';});
window.addEventListener('mousemove',e=>{if(!drag)return;const dx=e.clientX-main.getBoundingClientRect().left-drag.x;if(Math.abs(dx)>2)drag.moved=true;const dt=dx/(main.width-LEFT-12)*(drag.v1-drag.v0);v0=drag.v0-dt;v1=drag.v1-dt;draw();});
window.addEventListener('mouseup',e=>{if(drag&&!drag.moved){const d=pick(e.clientX-main.getBoundingClientRect().left,e.clientY-main.getBoundingClientRect().top);document.getElementById('details').textContent=d?detail(d):'nothing here';}drag=null;main.style.cursor='grab';});
document.getElementById('zin').onclick=()=>zoom(2);
document.getElementById('zout').onclick=()=>zoom(0.5);
document.getElementById('zreset').onclick=()=>window.simsockReport.reset();
sel.onchange=()=>{filter=sel.value;draw();};
document.getElementById('acks').onchange=e=>{showAcks=e.target.checked;draw();};
window.addEventListener('resize',draw);
if(opts.zoom)zoom(Number(opts.zoom)||1);else draw();
})();
</script>
</body></html>
)HTML";

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string html_page(const std::string& title, const std::string& data_json) {
  std::string page = k_head;
  page += html_escape("simsock: " + title);
  page += k_style;
  page += data_json;
  page += k_script;
  return page;
}

}  // namespace simsock::report
