const x: number = 1; console.log('worker ts ok', x);
