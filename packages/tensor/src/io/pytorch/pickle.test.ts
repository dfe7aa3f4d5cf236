import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../errors/index.js';
import { isPickleGlobal, unpickle, unpickleAt, type PickleGlobal } from './pickle.js';

const LONG = '78'.repeat(300);

/**
 * One object pickled by CPython 3.11 with protocols 0-5 (the 300-character string is spelled LONG):
 * pickle.dumps({'int': 1, 'neg': -7, 'big': 2**70, 'nbig': -2**70, 'int32': 2**31-1, 'u16': 40000,
 * 'float': 2.5, 'inf': -inf, 'str': 'h\xe9llo \u2713', 'bytes': b'\x00\xff', 'none': None,
 * 'true': True, 'false': False, 'list': [1, [2, 3]], 'tuple': (1, 'a'), 'empty_tuple': (),
 * 'set': {1}, 'frozen': frozenset({2}), 'od': OrderedDict([('k', 1)]), 'shared': s, 'shared2': s,
 * 'long_str': 'x'*300}, protocol=p) with s = [9].
 */
const PYTHON_PICKLES = [
  `286470300a56696e740a70310a49310a73566e65670a70320a492d370a73566269670a70330a4c313138303539313632303731373431313330333432344c0a73566e6269670a70340a4c2d313138303539313632303731373431313330333432344c0a7356696e7433320a70350a49323134373438333634370a73567531360a70360a4934303030300a7356666c6f61740a70370a46322e350a7356696e660a70380a462d696e660a73567374720a70390a5668e96c6c6f205c75323731330a7031300a735662797465730a7031310a635f636f646563730a656e636f64650a7031320a28565c7530303030ff0a7031330a566c6174696e310a7031340a747031350a527031360a73566e6f6e650a7031370a4e7356747275650a7031380a4930310a735666616c73650a7031390a4930300a73566c6973740a7032300a286c7032310a49310a61286c7032320a49320a6149330a616173567475706c650a7032330a2849310a56610a7032340a747032350a7356656d7074795f7475706c650a7032360a287473567365740a7032370a635f5f6275696c74696e5f5f0a7365740a7032380a28286c7032390a49310a61747033300a527033310a735666726f7a656e0a7033320a635f5f6275696c74696e5f5f0a66726f7a656e7365740a7033330a28286c7033340a49320a61747033350a527033360a73566f640a7033370a63636f6c6c656374696f6e730a4f726465726564446963740a7033380a2874527033390a566b0a7034300a49310a7373567368617265640a7034310a286c7034320a49390a617356736861726564320a7034330a6734320a73566c6f6e675f7374720a7034340a56${LONG}0a7034350a732e`,
  `7d7100285803000000696e7471014b0158030000006e656771024af9ffffff580300000062696771034c313138303539313632303731373431313330333432344c0a58040000006e62696771044c2d313138303539313632303731373431313330333432344c0a5805000000696e74333271054affffff7f580300000075313671064d409c5805000000666c6f617471074740040000000000005803000000696e66710847fff000000000000058030000007374727109580a00000068c3a96c6c6f20e29c93710a58050000006279746573710b635f636f646563730a656e636f64650a710c28580300000000c3bf710d58060000006c6174696e31710e74710f52711058040000006e6f6e6571114e58040000007472756571124930310a580500000066616c736571134930300a58040000006c69737471145d7115284b015d7116284b024b03656558050000007475706c657117284b015801000000617118747119580b000000656d7074795f7475706c65711a295803000000736574711b635f5f6275696c74696e5f5f0a7365740a711c285d711d4b016174711e52711f580600000066726f7a656e7120635f5f6275696c74696e5f5f0a66726f7a656e7365740a7121285d71224b026174712352712458020000006f64712563636f6c6c656374696f6e730a4f726465726564446963740a71262952712758010000006b71284b0173580600000073686172656471295d712a4b0961580700000073686172656432712b682a58080000006c6f6e675f737472712c582c010000${LONG}712d752e`,
  `80027d7100285803000000696e7471014b0158030000006e656771024af9ffffff580300000062696771038a0900000000000000004058040000006e62696771048a090000000000000000c05805000000696e74333271054affffff7f580300000075313671064d409c5805000000666c6f617471074740040000000000005803000000696e66710847fff000000000000058030000007374727109580a00000068c3a96c6c6f20e29c93710a58050000006279746573710b635f636f646563730a656e636f64650a710c580300000000c3bf710d58060000006c6174696e31710e86710f52711058040000006e6f6e6571114e580400000074727565711288580500000066616c736571138958040000006c69737471145d7115284b015d7116284b024b03656558050000007475706c6571174b015801000000617118867119580b000000656d7074795f7475706c65711a295803000000736574711b635f5f6275696c74696e5f5f0a7365740a711c5d711d4b016185711e52711f580600000066726f7a656e7120635f5f6275696c74696e5f5f0a66726f7a656e7365740a71215d71224b026185712352712458020000006f64712563636f6c6c656374696f6e730a4f726465726564446963740a71262952712758010000006b71284b0173580600000073686172656471295d712a4b0961580700000073686172656432712b682a58080000006c6f6e675f737472712c582c010000${LONG}712d752e`,
  `80037d7100285803000000696e7471014b0158030000006e656771024af9ffffff580300000062696771038a0900000000000000004058040000006e62696771048a090000000000000000c05805000000696e74333271054affffff7f580300000075313671064d409c5805000000666c6f617471074740040000000000005803000000696e66710847fff000000000000058030000007374727109580a00000068c3a96c6c6f20e29c93710a58050000006279746573710b430200ff710c58040000006e6f6e65710d4e580400000074727565710e88580500000066616c7365710f8958040000006c69737471105d7111284b015d7112284b024b03656558050000007475706c6571134b015801000000617114867115580b000000656d7074795f7475706c6571162958030000007365747117636275696c74696e730a7365740a71185d71194b016185711a52711b580600000066726f7a656e711c636275696c74696e730a66726f7a656e7365740a711d5d711e4b026185711f52712058020000006f64712163636f6c6c656374696f6e730a4f726465726564446963740a71222952712358010000006b71244b0173580600000073686172656471255d71264b09615807000000736861726564327127682658080000006c6f6e675f7374727128582c010000${LONG}7129752e`,
  `8004957c020000000000007d94288c03696e74944b018c036e6567944af9ffffff8c03626967948a090000000000000000408c046e626967948a090000000000000000c08c05696e743332944affffff7f8c03753136944d409c8c05666c6f6174944740040000000000008c03696e669447fff00000000000008c03737472948c0a68c3a96c6c6f20e29c93948c05627974657394430200ff948c046e6f6e65944e8c047472756594888c0566616c736594898c046c697374945d94284b015d94284b024b0365658c057475706c65944b018c01619486948c0b656d7074795f7475706c6594298c03736574948f94284b01908c0666726f7a656e94284b0291948c026f64948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c016b944b01738c06736861726564945d944b09618c07736861726564329468228c086c6f6e675f73747294582c010000${LONG}94752e`,
  `8005957c020000000000007d94288c03696e74944b018c036e6567944af9ffffff8c03626967948a090000000000000000408c046e626967948a090000000000000000c08c05696e743332944affffff7f8c03753136944d409c8c05666c6f6174944740040000000000008c03696e669447fff00000000000008c03737472948c0a68c3a96c6c6f20e29c93948c05627974657394430200ff948c046e6f6e65944e8c047472756594888c0566616c736594898c046c697374945d94284b015d94284b024b0365658c057475706c65944b018c01619486948c0b656d7074795f7475706c6594298c03736574948f94284b01908c0666726f7a656e94284b0291948c026f64948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c016b944b01738c06736861726564945d944b09618c07736861726564329468228c086c6f6e675f73747294582c010000${LONG}94752e`,
].map(hex);

const PYTHON_VALUE = new Map<unknown, unknown>([
  ['int', 1], ['neg', -7], ['big', 2n ** 70n], ['nbig', -(2n ** 70n)], ['int32', 2 ** 31 - 1], ['u16', 40000],
  ['float', 2.5], ['inf', -Infinity], ['str', 'héllo ✓'], ['bytes', Uint8Array.of(0, 255)], ['none', null],
  ['true', true], ['false', false], ['list', [1, [2, 3]]], ['tuple', [1, 'a']], ['empty_tuple', []],
  ['set', new Set([1])], ['frozen', new Set([2])], ['od', new Map([['k', 1]])], ['shared', [9]], ['shared2', [9]],
  ['long_str', 'x'.repeat(300)],
]);

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g)!, (pair) => parseInt(pair, 16));
}

/** Assembles a pickle: numbers are single bytes, strings latin1 text, arrays raw bytes. */
function p(...parts: Array<number | string | readonly number[]>): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') out.push(part);
    else if (typeof part === 'string') for (const c of part) out.push(c.charCodeAt(0));
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const u64 = (v: number) => [...u32(v), 0, 0, 0, 0];
const unicode = (s: string): Array<string | number[]> => {
  const utf8 = [...new TextEncoder().encode(s)];
  return ['X', u32(utf8.length), utf8];
};

function formatErrorOf(read: () => unknown): FileFormatError | undefined {
  try {
    read();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(FileFormatError);
    return error as FileFormatError;
  }
}

describe('unpickle: CPython pickles', () => {
  it.each([0, 1, 2, 3, 4, 5])('reads protocol %i', (protocol) => {
    const value = unpickle(PYTHON_PICKLES[protocol]) as Map<unknown, unknown>;
    expect(value).toEqual(PYTHON_VALUE);
    expect(value.get('shared')).toBe(value.get('shared2'));
  });

  it('reads a protocol 5 bytearray', () => {
    expect(unpickle(hex('8005950d000000000000009602000000000000006162942e'))).toEqual(Uint8Array.of(0x61, 0x62));
  });

  it('gives FileFormatError for every truncation and a value or FileFormatError for every flipped byte', () => {
    for (const pickle of PYTHON_PICKLES) {
      for (let length = 0; length < pickle.length; length++) {
        expect(formatErrorOf(() => unpickle(pickle.subarray(0, length))), `truncated to ${length}`).toBeDefined();
      }
      for (let position = 0; position < pickle.length; position++) {
        for (const mask of [0x01, 0x80, 0xff]) {
          const copy = pickle.slice();
          copy[position] ^= mask;
          formatErrorOf(() => unpickle(copy));
        }
      }
    }
  });
});

describe('unpickle: globals stay inert', () => {
  it('records os.system via GLOBAL + REDUCE as a placeholder', () => {
    const value = unpickle(p(0x80, 2, 'cos\nsystem\n', ...unicode('touch /tmp/x'), 0x85, 'R.'));
    expect(value).toEqual({ __global__: 'os.system', args: ['touch /tmp/x'] });
    expect(isPickleGlobal(value)).toBe(true);
  });

  it('records STACK_GLOBAL, NEWOBJ, NEWOBJ_EX, INST and OBJ calls without calling anything', () => {
    const stackGlobal = p(0x80, 4, 0x8c, 8, 'builtins', 0x8c, 4, 'exec', 0x93, 0x8c, 7, 'print()', 0x85, 'R.');
    expect(unpickle(stackGlobal)).toEqual({ __global__: 'builtins.exec', args: ['print()'] });
    const newobj = p(0x80, 2, 'csubprocess\nPopen\n', 0x8c, 2, 'ls', 0x85, 0x81, '.');
    expect(unpickle(newobj)).toEqual({ __global__: 'subprocess.Popen', args: ['ls'] });
    const newobjEx = p(0x80, 4, 'csubprocess\nrun\n', ')', '}', 0x8c, 5, 'shell', 0x88, 's', 0x92, '.');
    expect(unpickle(newobjEx)).toEqual({ __global__: 'subprocess.run', args: [], kwargs: new Map([['shell', true]]) });
    const inst = p("(S'rm -rf /'\nios\nsystem\n.");
    expect(unpickle(inst)).toEqual({ __global__: 'os.system', args: ['rm -rf /'] });
    const obj = p("(cos\nsystem\nS'id'\no.");
    expect(unpickle(obj)).toEqual({ __global__: 'os.system', args: ['id'] });
  });

  it('records BUILD state and list/dict items on placeholders', () => {
    const value = unpickle(p(0x80, 2, 'cargparse\nNamespace\n', ')', 0x81, '}', 0x8c, 2, 'lr', 'G', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], 's', 'b',
      'K', 1, 'a', '(', 'K', 2, 'K', 3, 'e', '(', 0x8c, 1, 'k', 'K', 4, 'u', '.')) as PickleGlobal;
    expect(value).toEqual({ __global__: 'argparse.Namespace', args: [], state: new Map([['lr', 1.5]]), items: [1, 2, 3], entries: new Map([['k', 4]]) });
  });

  it('does not interpret a whitelisted name reached by calling a placeholder', () => {
    expect(unpickle(p(0x80, 2, 'ccollections\nOrderedDict\n', ')', 'R.'))).toEqual(new Map());
    const called = unpickle(p(0x80, 2, 'cos\nsystem\n', ')', 'R', ')', 'R.'));
    expect(called).toEqual({ __global__: 'os.system', args: [] });
  });

  it('interprets only the whitelisted builtins', () => {
    expect(unpickle(p(0x80, 2, 'c_codecs\nencode\n', ...unicode('\u00ff\u0000'), ...unicode('latin1'), 0x86, 'R.'))).toEqual(Uint8Array.of(255, 0));
    expect(unpickle(p(0x80, 2, 'c_codecs\nencode\n', ...unicode('é'), ...unicode('utf-8'), 0x86, 'R.'))).toEqual(Uint8Array.of(0xc3, 0xa9));
    expect(unpickle(p(0x80, 2, 'c_codecs\nencode\n', ...unicode('x'), ...unicode('rot13'), 0x86, 'R.'))).toEqual({ __global__: '_codecs.encode', args: ['x', 'rot13'] });
    expect(unpickle(p(0x80, 2, 'c__builtin__\nset\n', ']', 'K', 1, 'a', 0x85, 'R.'))).toEqual(new Set([1]));
    expect(unpickle(p(0x80, 2, 'ccollections\nOrderedDict\n', ']', 'K', 1, 'K', 2, 0x86, 'a', 0x85, 'R.'))).toEqual(new Map([[1, 2]]));
    expect(unpickle(p(0x80, 2, 'cbuiltins\nbytearray\n', ')', 'R.'))).toEqual({ __global__: 'builtins.bytearray', args: [] });
  });

  it('records BUILD on dicts as a non-enumerable state', () => {
    const value = unpickle(p(0x80, 2, 'ccollections\nOrderedDict\n', ')', 'R', 0x8c, 1, 'k', 'K', 1, 's', '}', 'b.')) as Map<string, number> & { state?: unknown };
    expect(value).toEqual(new Map([['k', 1]]));
    expect(value.state).toEqual(new Map());
    expect(Object.keys(value)).toEqual([]);
  });
});

describe('unpickle: opcodes', () => {
  it('reads protocol 0 text opcodes', () => {
    const persisted: unknown[] = [];
    const result = unpickle(p("(dp0\nS'a\\'b\\n\\x41\\101\\q'\np1\nI01\nsVk\\u00e9\\U0001f600\np2\n(lp3\nI-12\naL123456789012345678901L\naF-1.5e3\naFnan\naI00\nag1\nasPkey\n0."), {
      persistentLoad: (pid) => {
        persisted.push(pid);
        return 'loaded';
      },
    }) as Map<string, unknown>;
    expect(persisted).toEqual(['key']);
    expect([...result.keys()]).toEqual(["a'b\nAA\\q", 'ké😀']);
    expect(result.get("a'b\nAA\\q")).toBe(true);
    const list = result.get('ké😀') as unknown[];
    expect(list.slice(0, 3)).toEqual([-12, 123456789012345678901n, -1500]);
    expect(list[3]).toBeNaN();
    expect(list.slice(4)).toEqual([false, "a'b\nAA\\q"]);
  });

  it('reads Python 2 strings, binary numbers, bytes and tuples', () => {
    const value = unpickle(p(0x80, 2, '(',
      'T', u32(3), 'abc', 'U', 2, 'hi', 'M', [0x34, 0x12], 'J', u32(0xfffffffe), 'G', [0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18],
      0x8a, 2, [0xff, 0x7f], 0x8a, 1, [0x80], 0x8a, 0, 0x8b, u32(9), [0, 0, 0, 0, 0, 0, 0, 0, 0x01],
      'B', u32(2), [1, 2], 'C', 1, [3], 0x8e, u64(1), [4], 0x8d, u64(2), 'ok',
      'N', 0x88, 0x89, ')', 'K', 1, 0x85, 'K', 1, 'K', 2, 0x86, 'K', 1, 'K', 2, 'K', 3, 0x87, 'l.'));
    expect(value).toEqual([
      'abc', 'hi', 0x1234, -2, Math.PI, 0x7fff, -128, 0, 2n ** 64n, Uint8Array.of(1, 2), Uint8Array.of(3), Uint8Array.of(4), 'ok',
      null, true, false, [], [1], [1, 2], [1, 2, 3],
    ]);
  });

  it('handles the memo, sets, frames and stack opcodes', () => {
    const value = unpickle(p(0x80, 4, 0x95, u64(40), '(', ']', 0x94, 'r', u32(70000), 0x8f, '(', 'K', 1, 'K', 2, 0x90, '(', 'K', 3, 0x91,
      'h', 0, 'j', u32(70000), '2', '(', 'K', 9, '1', 'K', 5, '0', 0x98, 't.'));
    expect(value).toEqual([[], new Set([1, 2]), new Set([3]), [], [], []]);
    const [a, , , b, c, d] = value as unknown[];
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(c).toBe(d);
  });

  it('reads consecutive pickles with unpickleAt', () => {
    const stream = p(0x80, 2, 'K', 7, '.', 0x80, 2, 'N.');
    const first = unpickleAt(stream, 0);
    expect(first).toEqual({ value: 7, end: 5 });
    expect(unpickleAt(stream, first.end)).toEqual({ value: null, end: stream.length });
  });
});

describe('unpickle: malformed input', () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['empty', p(), 'pickle: pickle is truncated at byte 0; expected 1 more bytes, got 0.'],
    ['no STOP', p(0x80, 2, 'N'), 'truncated at byte 3'],
    ['stack underflow', p(0x80, 2, 'R.'), 'REDUCE before byte 3 pops an empty stack; expected a value on the stack, got none.'],
    ['pop below a mark', p('N(R.'), 'pops an empty stack'],
    ['missing MARK', p('Nt.'), 'TUPLE before byte 2 has no MARK; expected a MARK earlier, got none.'],
    ['memo miss', p(0x80, 2, 'h', 5, '.'), 'memo lookup at byte 2 misses; expected a stored memo index, got 5.'],
    ['unknown opcode', p(0x80, 2, 0xff), 'opcode at byte 2 is unknown; expected a pickle opcode, got 0xff.'],
    ['negative length', p('T', u32(0xffffffff), '.'), 'negative length'],
    ['huge length', p(0x8d, [0, 0, 0, 0, 0, 0, 0, 1], '.'), 'runs past the end of the pickle'],
    ['persistent id', p('Pid\n.'), 'persistent id at byte 0 cannot be resolved'],
    ['SETITEM on a list', p(']', 'K', 1, 'K', 2, 's.'), 'SETITEM has a bad target; expected a dict, got a tuple or list.'],
    ['APPEND on a dict', p('}', 'K', 1, 'a.'), 'APPEND has a bad target; expected a list, got a dict.'],
    ['odd SETITEMS', p('}(K', 1, 'u.'), 'SETITEMS has an odd number of items'],
    ['REDUCE on an int', p('K', 1, ')R.'), 'call at byte 3 has a bad callable; expected a global, got a number (1).'],
    ['REDUCE with a dict', p('cos\nsystem\n}R.'), 'REDUCE at byte 12 has non-tuple arguments; expected a tuple, got a dict.'],
    ['BUILD on an int', p('K', 1, 'Nb.'), 'BUILD at byte 3 has a bad target'],
    ['bad INT', p('I12a\n.'), 'integer at byte 0 is invalid; expected decimal digits, got "12a".'],
    ['bad FLOAT', p('F1.2.3\n.'), 'float at byte 0 is invalid'],
    ['unquoted STRING', p('Sabc\n.'), 'STRING at byte 0 is not quoted'],
    ['bad OrderedDict', p('ccollections\nOrderedDict\nK', 1, 0x85, 'R.'), 'collections.OrderedDict argument is invalid'],
    ['non-string STACK_GLOBAL', p('K', 1, 'K', 2, 0x93, '.'), 'STACK_GLOBAL at byte 4 has a non-string name'],
    ['ADDITEMS on a list', p(']', '(', 0x90, '.'), 'ADDITEMS at byte 2 has a bad target; expected a set'],
  ];

  it.each(cases)('%s', (_name, bytes, message) => {
    const error = formatErrorOf(() => unpickle(bytes));
    expect(error?.code).toBe('MALFORMED_FILE');
    expect(error?.message).toContain(message);
  });

  it('rejects newer protocols, extensions and out-of-band buffers as UNSUPPORTED_FORMAT', () => {
    for (const bytes of [p(0x80, 6, 'N.'), p(0x82, 1, '.'), p(0x80, 5, 0x97, '.')]) {
      expect(formatErrorOf(() => unpickle(bytes))?.code).toBe('UNSUPPORTED_FORMAT');
    }
  });

  it('stops after maxOps opcodes', () => {
    const bytes = p(...new Array<string>(1000).fill('N'), '.');
    expect(formatErrorOf(() => unpickle(bytes, { maxOps: 100 }))?.message).toContain('pickle runs too many opcodes; expected at most 100, got more.');
    expect(unpickle(bytes)).toBeNull();
  });
});
