// A broadcast server on Node + ws doing Muster's job in the benchmark: a
// hello gets a welcome, a host's text.advance goes to everyone.
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 0);
const server = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws', perMessageDeflate: false });
const members = new Set();
let seq = 0;
server.on('listening', () => console.log(`serving on ${server.address().port}`));
server.on('connection', (ws) => {
  ws.on('message', (data) => {
    const text = data.toString();
    if (text.includes('"hello"')) {
      members.add(ws);
      ws.send('{"type":"welcome","seq":0}');
    } else if (text.includes('"text.advance"')) {
      seq += 1;
      const frame = `{"type":"event","seq":${seq},"event":{"kind":"text.advanced","line":${seq % 12}}}`;
      for (const member of members) member.send(frame);
    }
  });
  ws.on('close', () => members.delete(ws));
});
