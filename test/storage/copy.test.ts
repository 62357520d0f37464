/** COPY's text format (storage/copy.ts): the cells PostgreSQL would otherwise misread. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyText } from '../../src/storage/copy.ts';

test('COPY text: NULL, escapes and numbers', () => {
  assert.equal(copyText(null), '\\N');
  assert.equal(copyText('\\N'), '\\\\N', 'a text that reads \\N is not NULL');
  assert.equal(copyText('a\tb\nc\rd\\e'), 'a\\tb\\nc\\rd\\\\e');
  assert.equal(copyText('{"a":"æ \\"x\\""}'), '{"a":"æ \\\\"x\\\\""}');
  assert.equal(copyText(''), '');
  assert.equal(copyText(433929596534784), '433929596534784');
  assert.throws(() => copyText(1.5), RangeError);
  assert.throws(() => copyText(2 ** 60), RangeError);
});
