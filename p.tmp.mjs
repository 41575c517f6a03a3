import * as m from 'libpg-query';
await m.loadModule();
console.log(Object.keys(m));
console.log(JSON.stringify(m.scanSync ? m.scanSync(process.argv[2]) : null).slice(0, 1500));
