import { parse } from 'sh-syntax';
const src = process.argv[2];
const f = await parse(src);
console.log(JSON.stringify(f, (k, v) => (k === 'Pos' || k === 'End' || k==='ValuePos'||k==='ValueEnd'||k==='Position'||k==='OpPos'||k==='Left'&&false) ? (v && v.Offset !== undefined ? v.Offset : v) : v, 1).slice(0, 6000));
