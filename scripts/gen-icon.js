#!/usr/bin/env node
// Draws the extension icon, media/icon.png (256x256, anti-aliased): a patch
// (diff lines, one added in green, one removed in red) on the left and two
// CPU lanes on the right whose accesses cross (the race the simulator
// replays). Hand-drawn with signed distances and written as a PNG with
// node:zlib, so the icon is reproducible without an image tool:
//   node scripts/gen-icon.js
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const N = 256;
const SS = 4; // supersamples per axis

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const BG = hex('#1b2a41');
const PAGE = hex('#f4f1e8');
const TEXT = hex('#9aa5b5');
const ADD = hex('#2e9e5b');
const DEL = hex('#d1495b');
const LANE = hex('#3a5a80');
const RACE = hex('#f2a33a');

// shapes: [distance function (negative inside), color], painted in order
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = Math.max(x0 + r, Math.min(x, x1 - r));
  const cy = Math.max(y0 + r, Math.min(y, y1 - r));
  return Math.hypot(x - cx, y - cy) - r;
};
const segment = (ax, ay, bx, by, w) => (x, y) => {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy)) - w / 2;
};
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const triangle = (ax, ay, bx, by, cx, cy) => (x, y) => {
  const s = (px, py, qx, qy) => (x - qx) * (py - qy) - (px - qx) * (y - qy);
  const d1 = s(ax, ay, bx, by);
  const d2 = s(bx, by, cx, cy);
  const d3 = s(cx, cy, ax, ay);
  const inside = !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  return inside ? -1 : 1;
};

const shapes = [
  [roundRect(8, 8, 248, 248, 44), BG],
  // the patch
  [roundRect(30, 40, 138, 216, 10), PAGE],
  [segment(46, 66, 118, 66, 8), TEXT],
  [segment(46, 88, 104, 88, 8), TEXT],
  [roundRect(38, 102, 130, 122, 4), [214, 240, 222]],
  [segment(46, 112, 56, 112, 5), ADD],
  [segment(51, 107, 51, 117, 5), ADD],
  [segment(64, 112, 120, 112, 8), ADD],
  [roundRect(38, 130, 130, 150, 4), [246, 218, 222]],
  [segment(46, 140, 56, 140, 5), DEL],
  [segment(64, 140, 112, 140, 8), DEL],
  [segment(46, 166, 110, 166, 8), TEXT],
  [segment(46, 188, 92, 188, 8), TEXT],
  // two CPU lanes
  [segment(170, 48, 170, 208, 10), LANE],
  [segment(222, 48, 222, 208, 10), LANE],
  [circle(170, 88, 11), RACE],
  [circle(222, 88, 11), RACE],
  [circle(170, 168, 11), PAGE],
  [circle(222, 168, 11), PAGE],
  // the accesses that cross: each CPU's store is missed by the other's load
  [segment(178, 96, 208, 156, 7), RACE],
  [triangle(214, 168, 197, 153, 213, 146), RACE],
  [segment(214, 96, 184, 156, 7), RACE],
  [triangle(178, 168, 179, 146, 195, 153), RACE],
];

const px = Buffer.alloc(N * N * 4);
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const X = x + (sx + 0.5) / SS;
        const Y = y + (sy + 0.5) / SS;
        let c = null;
        for (const [d, col] of shapes) if (d(X, Y) <= 0) c = col;
        if (c) {
          r += c[0];
          g += c[1];
          b += c[2];
          a += 255;
        }
      }
    }
    const n = SS * SS;
    const covered = a / 255;
    const o = (y * N + x) * 4;
    px[o] = covered ? Math.round(r / covered) : 0;
    px[o + 1] = covered ? Math.round(g / covered) : 0;
    px[o + 2] = covered ? Math.round(b / covered) : 0;
    px[o + 3] = Math.round(a / n);
  }
}

function crc32(buf) {
  let c = ~0;
  for (let i = 0; i < buf.length; i++) {
    c ^= buf[i];
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) px.copy(raw, y * (N * 4 + 1) + 1, y * N * 4, (y + 1) * N * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = path.join(__dirname, '..', 'media', 'icon.png');
fs.writeFileSync(out, png);
console.log(`wrote ${path.relative(process.cwd(), out)} (${png.length} bytes)`);
