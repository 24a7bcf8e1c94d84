import { describe, expect, it } from 'vitest';
import {
  encodeGbk,
  encodeText,
  truncateToBytes,
} from '../../../electron/engine/export/text-encoding.js';

describe('GBK encoder', () => {
  it('encodes ASCII, Chinese, full-width punctuation and the euro sign', () => {
    expect([...encodeGbk('A中文')]).toEqual([0x41, 0xd6, 0xd0, 0xce, 0xc4]);
    expect([...encodeGbk('，')]).toEqual([0xa3, 0xac]);
    expect([...encodeGbk('€')]).toEqual([0x80]);
  });

  it('round-trips through TextDecoder for a wide sample of CJK text', () => {
    const text = '新建厂房需要现场核查道路拓宽耕地占用违法建设疑似变化区域面积亩平方米 ①②③ ㎡ 〇';
    expect(new TextDecoder('gbk').decode(encodeGbk(text))).toBe(text);
    // Every encodable BMP character decodes back to itself.
    let checked = 0;
    for (let code = 0x4e00; code <= 0x9fa5; code += 7) {
      const char = String.fromCharCode(code);
      expect(new TextDecoder('gbk').decode(encodeGbk(char))).toBe(char);
      checked++;
    }
    expect(checked).toBeGreaterThan(2900);
  });

  it('names the first character GBK cannot represent', () => {
    expect(() => encodeGbk('工地🏗')).toThrow(
      /"🏗" \(U\+1F3D7\) in "工地🏗" cannot be written in GBK/,
    );
    expect(() => encodeGbk('한국')).toThrow(/U\+D55C/);
  });
});

describe('encodeText / truncateToBytes', () => {
  it('encodes UTF-8 and cuts on character boundaries', () => {
    expect(encodeText('变化', 'UTF-8')).toHaveLength(6);
    expect(encodeText('变化', 'GBK')).toHaveLength(4);
    expect(truncateToBytes('变化类型说明', 10, 'UTF-8')).toBe('变化类');
    expect(truncateToBytes('变化类型说明', 10, 'GBK')).toBe('变化类型说');
    expect(truncateToBytes('mean_probability', 10, 'UTF-8')).toBe('mean_proba');
  });
});
