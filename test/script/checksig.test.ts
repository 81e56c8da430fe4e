/**
 * The signature opcodes of EvalScript (interpreter.cpp EvalChecksig, EvalChecksigTapscript,
 * OP_CHECKMULTISIG; src/script/ops-sig.ts) with a stub checker (test/util/eval.ts) that
 * records what it is asked: CheckSignatureEncoding/CheckPubKeyEncoding and their order
 * (BIP66 DER, BIP146 LOW_S and NULLFAIL, STRICTENC, BIP141 WITNESS_PUBKEYTYPE), FindAndDelete
 * and the scriptCode after OP_CODESEPARATOR, CHECKMULTISIG's key/signature walk, its counts
 * (20 keys, the 201-op budget), BIP147 NULLDUMMY, and BIP342's CHECKSIG/CHECKSIGADD rules
 * (validation weight 50 per signature, empty and unknown-type keys).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../src/primitives/bytes.ts';
import { SCRIPT_VERIFY as F } from '../../src/script/flags.ts';
import { findAndDelete, SigVersion } from '../../src/script/interpreter.ts';
import { evalAsm, evalResult, stubChecker } from '../util/eval.ts';
import { parseAsm } from '../util/asm.ts';

const BASE = SigVersion.BASE, WITNESS_V0 = SigVersion.WITNESS_V0, TAPSCRIPT = SigVersion.TAPSCRIPT;
const rep = (n: number, s: string) => Array(n).fill(s).join(' ');
/** A strictly DER-encoded low-S signature with SIGHASH_ALL (r = s = 1) and a compressed key. */
const SIG = '0x09 0x300602010102010101';
const KEY = `0x21 0x02${'11'.repeat(32)}`;
const KEY2 = `0x21 0x03${'22'.repeat(32)}`;
const UNCOMPRESSED = `0x41 0x04${'33'.repeat(64)}`;
const hexOf = (asm: string) => toHex(parseAsm(asm)).slice(2);

describe('FindAndDelete', () => {
  const fd = (script: string, sig: string) => {
    const r = findAndDelete(parseAsm(script), parseAsm(sig).subarray(1));
    return [toHex(r.script), r.found];
  };
  test('every op-aligned push of the signature goes, and only those', () => {
    assert.deepEqual(fd('0x03 0x02ff03', '0x03 0x02ff03'), ['', 1]);
    assert.deepEqual(fd('0x03 0x02ff03 0x03 0x02ff03', '0x03 0x02ff03'), ['', 2]);
    assert.deepEqual(fd('1 0x03 0x02ff03 2 0x03 0x02ff03 3', '0x03 0x02ff03'), ['515253', 2]);
    assert.deepEqual(fd('0x04 0x0302ff03', '0x03 0x02ff03'), ['040302ff03', 0], 'inside a longer push: not aligned');
    assert.deepEqual(fd('0x00 0x02 0xfeed', '0x02 0xfeed'), ['00', 1]);
    assert.deepEqual(fd('0x03 0x02ff03', '0x02 0xff03'), ['0302ff03', 0]);
    assert.deepEqual(fd('0x4c 0x03 0x02ff03', '0x03 0x02ff03'), ['4c0302ff03', 0], 'a PUSHDATA1 push is a different serialization');
    assert.deepEqual(fd('0x03 0x02ff', '0x03 0x02ff03'), ['0302ff', 0], 'truncated script');
    assert.deepEqual(fd('0x03 0x02ff03 0x03', '0x03 0x02ff03'), ['03', 1], 'a truncated push after a match stays');
  });
  test('the script is returned untouched (same object) when nothing is found', () => {
    const s = parseAsm('1 2 3');
    assert.equal(findAndDelete(s, Uint8Array.of(9)).script, s);
  });
});

describe('CHECKSIG: encodings, in Core’s order', () => {
  const cs = (sig: string, key: string, flags: number, sv = BASE) => evalResult(`${sig} ${key} CHECKSIG`, { flags, sv });
  test('DER is required under DERSIG, LOW_S or STRICTENC; an empty signature skips every check', () => {
    for (const f of [F.DERSIG, F.LOW_S, F.STRICTENC]) assert.equal(cs('0x02 0x3001', KEY, f), 'SIG_DER');
    assert.equal(cs('0x02 0x3001', KEY, F.NULLDUMMY | F.MINIMALDATA), 'OK');
    assert.deepEqual(evalAsm(`0 ${KEY} CHECKSIG`, { flags: F.STRICTENC | F.DERSIG | F.LOW_S }).stack, ['']);
    assert.equal(evalResult('0 0x01 0x05 CHECKSIG', { flags: F.STRICTENC }), 'PUBKEYTYPE', 'the key is checked even then');
  });
  test('LOW_S: a high S is SIG_HIGH_S, after the DER check', () => {
    // S = n - 1, with its 0x00 pad: strict DER, but above n/2
    const highS = '0x29 0x302602010102210' + '0fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd036414001';
    assert.equal(cs(highS, KEY, F.LOW_S), 'SIG_HIGH_S');
    assert.equal(cs(highS, KEY, F.DERSIG), 'OK');
  });
  test('STRICTENC: undefined hash type, then the key type; WITNESS_PUBKEYTYPE only in witness v0', () => {
    const type = (t: string) => `0x09 0x3006020101020101${t}`;
    assert.equal(cs(type('04'), KEY, F.STRICTENC), 'SIG_HASHTYPE');
    assert.equal(cs(type('04'), KEY, F.DERSIG), 'OK');
    assert.equal(cs(type('81'), KEY, F.STRICTENC), 'OK');
    assert.equal(cs(SIG, '0x01 0x05', F.STRICTENC), 'PUBKEYTYPE');
    assert.equal(cs(type('04'), '0x01 0x05', F.STRICTENC), 'SIG_HASHTYPE', 'signature first');
    assert.equal(cs(SIG, UNCOMPRESSED, F.STRICTENC), 'OK');
    assert.equal(cs(SIG, UNCOMPRESSED, F.WITNESS_PUBKEYTYPE, WITNESS_V0), 'WITNESS_PUBKEYTYPE');
    assert.equal(cs(SIG, UNCOMPRESSED, F.WITNESS_PUBKEYTYPE, BASE), 'OK');
    assert.equal(cs(SIG, '0x01 0x05', F.WITNESS_PUBKEYTYPE | F.STRICTENC, WITNESS_V0), 'PUBKEYTYPE');
    assert.equal(cs(SIG, KEY, F.WITNESS_PUBKEYTYPE, WITNESS_V0), 'OK');
  });
});

describe('CHECKSIG: result, NULLFAIL, scriptCode', () => {
  test('pushes true/false; CHECKSIGVERIFY pops or fails; two elements needed', () => {
    assert.deepEqual(evalAsm(`${SIG} ${KEY} CHECKSIG`).stack, ['01']);
    assert.deepEqual(evalAsm(`0x01 0x31 ${KEY} CHECKSIG`).stack, ['']);
    assert.deepEqual(evalAsm(`7 ${SIG} ${KEY} CHECKSIGVERIFY`).stack, ['07']);
    assert.equal(evalResult(`0x01 0x31 ${KEY} CHECKSIGVERIFY`), 'CHECKSIGVERIFY');
    assert.equal(evalResult(`${KEY} CHECKSIG`), 'INVALID_STACK_OPERATION');
    assert.equal(evalResult(`${KEY} CHECKSIGVERIFY`), 'INVALID_STACK_OPERATION');
  });
  test('NULLFAIL: a failing non-empty signature aborts; an empty one just fails', () => {
    assert.equal(evalResult(`0x01 0x31 ${KEY} CHECKSIG`, { flags: F.NULLFAIL }), 'NULLFAIL');
    assert.deepEqual(evalAsm(`0 ${KEY} CHECKSIG`, { flags: F.NULLFAIL }).stack, ['']);
    assert.deepEqual(evalAsm(`${SIG} ${KEY} CHECKSIG`, { flags: F.NULLFAIL }).stack, ['01']);
  });
  test('BASE: the scriptCode starts after the last executed OP_CODESEPARATOR, with the signature deleted', () => {
    const c = stubChecker();
    evalAsm(`${SIG} ${KEY} 2 DROP CODESEPARATOR ${SIG} DROP CHECKSIG`, { checker: c });
    assert.deepEqual(c.calls.ecdsa, [{ sig: hexOf(SIG), key: hexOf(KEY), code: toHex(parseAsm('DROP CHECKSIG')), sv: BASE }]);
    assert.equal(evalResult(`${SIG} ${KEY} ${SIG} DROP CHECKSIG`, { flags: F.CONST_SCRIPTCODE }), 'SIG_FINDANDDELETE');
    assert.equal(evalResult('CHECKSIG', { flags: F.CONST_SCRIPTCODE, stack: [parseAsm(SIG).subarray(1), parseAsm(KEY).subarray(1)] }), 'OK');
    const c2 = stubChecker();
    evalAsm(`${SIG} ${KEY} 1 IF CODESEPARATOR ENDIF 0 IF CODESEPARATOR ENDIF CHECKSIG`, { checker: c2 });
    assert.equal(c2.calls.ecdsa[0]!.code, toHex(parseAsm('ENDIF 0 IF CODESEPARATOR ENDIF CHECKSIG')));
  });
  test('WITNESS_V0: nothing is deleted (and CONST_SCRIPTCODE does not apply)', () => {
    const c = stubChecker();
    const script = `${SIG} DROP CHECKSIG`;
    assert.equal(evalResult(script, { sv: WITNESS_V0, flags: F.CONST_SCRIPTCODE, checker: c, stack: [parseAsm(SIG).subarray(1), parseAsm(KEY).subarray(1)] }), 'OK');
    assert.equal(c.calls.ecdsa[0]!.code, toHex(parseAsm(script)));
    assert.equal(c.calls.ecdsa[0]!.sv, WITNESS_V0);
  });
});

describe('CHECKMULTISIG', () => {
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `0x02 0x02${(i + 1).toString(16).padStart(2, '0')}`).join(' ');
  /** Signature i matches key i (stub: the second bytes are equal). */
  const sigFor = (i: number) => `0x02 0x30${i.toString(16).padStart(2, '0')}`;
  const multi = (script: string, flags = 0, sv = BASE) => {
    const c = stubChecker({ ecdsa: (s, k) => s[1] === k[1] });
    const r = evalAsm(script, { flags, sv, checker: c });
    return { ...r, checks: c.calls.ecdsa.map((x) => `${x.sig.slice(2)}/${x.key.slice(2)}`) };
  };

  test('signatures are matched to keys in order, from the top of the stack; a skipped key is not retried', () => {
    const ok = multi(`0 ${sigFor(1)} ${sigFor(3)} 2 ${keys(3)} 3 CHECKMULTISIG`);
    assert.deepEqual(ok.stack, ['01']);
    assert.deepEqual(ok.checks, ['03/03', '01/02', '01/01']);
    const swapped = multi(`0 ${sigFor(3)} ${sigFor(1)} 2 ${keys(3)} 3 CHECKMULTISIG`);
    assert.deepEqual(swapped.stack, ['']);
    assert.deepEqual(swapped.checks, ['01/03', '01/02'], 'stops once fewer keys than signatures remain');
    const late = multi(`0 ${sigFor(2)} ${sigFor(3)} 2 ${keys(3)} 3 CHECKMULTISIG`);
    assert.deepEqual(late.checks, ['03/03', '02/02']);
    const last = multi(`0 ${sigFor(1)} ${sigFor(2)} 2 ${keys(3)} 3 CHECKMULTISIG`);
    assert.deepEqual([last.stack, last.checks], [['01'], ['02/03', '02/02', '01/01']]);
    assert.deepEqual(multi(`0 0 ${keys(3)} 3 CHECKMULTISIG`).stack, ['01'], '0-of-3 succeeds without a check');
    assert.deepEqual(multi(`0 ${sigFor(2)} 1 ${keys(2)} 2 CHECKMULTISIG`).stack, ['01']);
  });

  test('key and signature counts: 0..20 keys, 0..keys signatures', () => {
    assert.deepEqual(multi(`0 0 ${keys(20)} 20 CHECKMULTISIG`).stack, ['01']);
    assert.equal(multi(`0 0 ${keys(21)} 21 CHECKMULTISIG`).result, 'PUBKEY_COUNT');
    assert.equal(multi('0 0 -1 CHECKMULTISIG').result, 'PUBKEY_COUNT');
    assert.deepEqual(multi('0 0 0 CHECKMULTISIG').stack, ['01']);
    assert.equal(multi(`0 ${sigFor(1)} ${sigFor(2)} 2 ${keys(2)} 2 CHECKMULTISIG`).stack[0], '01');
    assert.equal(multi(`0 ${sigFor(1)} ${sigFor(2)} ${sigFor(2)} 3 ${keys(2)} 2 CHECKMULTISIG`).result, 'SIG_COUNT');
    assert.equal(multi(`0 -1 ${keys(2)} 2 CHECKMULTISIG`).result, 'SIG_COUNT');
    assert.equal(multi('0 0x01 0x00 0 CHECKMULTISIG', F.MINIMALDATA).result, 'SCRIPTNUM');
    assert.equal(multi('0 0 0x01 0x00 CHECKMULTISIG', F.MINIMALDATA).result, 'SCRIPTNUM');
    assert.equal(multi('0 0 0x05 0x0000000001 CHECKMULTISIG').result, 'SCRIPTNUM');
  });

  test('the stack must hold the count, the keys, the signature count, the signatures and the dummy', () => {
    assert.equal(multi('CHECKMULTISIG').result, 'INVALID_STACK_OPERATION');
    assert.equal(multi(`${keys(2)} 2 CHECKMULTISIG`).result, 'INVALID_STACK_OPERATION');
    assert.equal(multi(`${sigFor(1)} 1 ${keys(2)} 2 CHECKMULTISIG`).result, 'INVALID_STACK_OPERATION');
    assert.equal(multi(`0 ${keys(2)} 2 CHECKMULTISIG`).result, 'INVALID_STACK_OPERATION', 'no dummy');
    assert.deepEqual(multi(`7 0 ${sigFor(1)} 1 ${keys(2)} 2 CHECKMULTISIG`).stack, ['07', '01']);
  });

  test('each key counts against the 201-op budget, and the budget goes on after the opcode', () => {
    assert.equal(multi(`${rep(180, 'NOP')} 0 0 ${keys(20)} 20 CHECKMULTISIG`).result, 'OK');
    assert.equal(multi(`${rep(181, 'NOP')} 0 0 ${keys(20)} 20 CHECKMULTISIG`).result, 'OP_COUNT');
    assert.equal(multi(`0 0 ${keys(1)} 1 CHECKMULTISIG ${rep(199, 'NOP')}`).result, 'OK');
    assert.equal(multi(`0 0 ${keys(1)} 1 CHECKMULTISIG ${rep(200, 'NOP')}`).result, 'OP_COUNT');
    assert.equal(multi(`0 0 ${keys(1)} 1 CHECKMULTISIG ${rep(200, 'NOP')}`, 0, TAPSCRIPT).result, 'TAPSCRIPT_CHECKMULTISIG');
  });

  test('NULLDUMMY (BIP147) and NULLFAIL (BIP146): only signatures must be empty on failure, not keys', () => {
    assert.equal(multi(`1 0 ${keys(1)} 1 CHECKMULTISIG`, F.NULLDUMMY).result, 'SIG_NULLDUMMY');
    assert.deepEqual(multi(`1 0 ${keys(1)} 1 CHECKMULTISIG`).stack, ['01']);
    assert.equal(multi(`0 ${sigFor(9)} 1 ${keys(2)} 2 CHECKMULTISIG`, F.NULLFAIL).result, 'NULLFAIL');
    assert.deepEqual(multi(`0 0 1 ${keys(2)} 2 CHECKMULTISIG`, F.NULLFAIL).stack, ['']);
    assert.deepEqual(multi(`0 0 ${sigFor(9)} 2 ${keys(2)} 2 CHECKMULTISIG`).stack, ['']);
    assert.equal(multi(`0 0 ${sigFor(9)} 2 ${keys(2)} 2 CHECKMULTISIG`, F.NULLFAIL).result, 'NULLFAIL');
    assert.equal(multi(`0 ${sigFor(9)} 0 2 ${keys(2)} 2 CHECKMULTISIG`, F.NULLFAIL).result, 'NULLFAIL');
  });

  test('CHECKMULTISIGVERIFY pops on success and fails with its own error', () => {
    assert.deepEqual(multi(`7 0 ${sigFor(1)} 1 ${keys(1)} 1 CHECKMULTISIGVERIFY`).stack, ['07']);
    assert.equal(multi(`7 0 ${sigFor(2)} 1 ${keys(1)} 1 CHECKMULTISIGVERIFY`).result, 'CHECKMULTISIGVERIFY');
  });

  test('encodings are checked pair by pair as the walk reaches them (Core’s order)', () => {
    // the second key is invalid, but the walk ends at the first key
    const der = stubChecker({ ecdsa: () => true });
    assert.deepEqual(evalAsm(`0 ${SIG} 1 0x01 0x05 ${KEY} 2 CHECKMULTISIG`, { flags: F.STRICTENC, checker: der }).stack, ['01']);
    assert.equal(evalResult(`0 ${SIG} 1 ${KEY} 0x01 0x05 2 CHECKMULTISIG`, { flags: F.STRICTENC, checker: der }), 'PUBKEYTYPE');
    assert.equal(evalResult(`0 0x02 0x3001 1 ${KEY} ${KEY2} 2 CHECKMULTISIG`, { flags: F.STRICTENC, checker: der }), 'SIG_DER');
  });

  test('BASE deletes every signature from the scriptCode (CONST_SCRIPTCODE: an error); WITNESS_V0 deletes none', () => {
    const c = stubChecker({ ecdsa: () => true });
    const script = `0 ${sigFor(1)} ${sigFor(2)} 2 ${keys(2)} 2 ${sigFor(2)} ${sigFor(1)} 2DROP CHECKMULTISIG`;
    evalAsm(script, { checker: c });
    assert.equal(c.calls.ecdsa[0]!.code, toHex(parseAsm(`0 2 ${keys(2)} 2 2DROP CHECKMULTISIG`)));
    assert.equal(evalResult(script, { flags: F.CONST_SCRIPTCODE, checker: c }), 'SIG_FINDANDDELETE');
    const w = stubChecker({ ecdsa: () => true });
    evalAsm(script, { checker: w, sv: WITNESS_V0 });
    assert.equal(w.calls.ecdsa[0]!.code.length, parseAsm(script).length * 2);
  });
});

describe('tapscript CHECKSIG / CHECKSIGADD (BIP342)', () => {
  const XKEY = `0x20 0x${'44'.repeat(32)}`;
  const SSIG = `0x40 0x${'55'.repeat(64)}`;
  const tap = (asm: string, weight = 1000, flags = 0, answer: true | 'SCHNORR_SIG' = true) => {
    const exec = { codesepPos: 0, validationWeightLeft: weight, tapleafHash: new Uint8Array(32) };
    const c = stubChecker({ schnorr: () => answer });
    const r = evalAsm(asm, { sv: TAPSCRIPT, flags, exec, checker: c });
    return { ...r, weight: exec.validationWeightLeft, checks: c.calls.schnorr.length };
  };
  test('a non-empty signature costs 50 of the budget, down to exactly 0', () => {
    assert.deepEqual(tap(`${SSIG} ${XKEY} CHECKSIG`, 50), { result: 'OK', stack: ['01'], weight: 0, checks: 1 });
    assert.equal(tap(`${SSIG} ${XKEY} CHECKSIG`, 49).result, 'TAPSCRIPT_VALIDATION_WEIGHT');
    assert.deepEqual(tap(`0 ${XKEY} CHECKSIG`, 0), { result: 'OK', stack: [''], weight: 0, checks: 0 });
  });
  test('empty key fails (even with an empty signature); unknown key types succeed unless discouraged', () => {
    assert.equal(tap(`${SSIG} 0 CHECKSIG`).result, 'TAPSCRIPT_EMPTY_PUBKEY');
    assert.equal(tap('0 0 CHECKSIG').result, 'TAPSCRIPT_EMPTY_PUBKEY');
    assert.deepEqual(tap(`${SSIG} 0x21 0x${'44'.repeat(33)} CHECKSIG`), { result: 'OK', stack: ['01'], weight: 950, checks: 0 });
    assert.deepEqual(tap(`0 0x01 0x44 CHECKSIG`).stack, ['']);
    assert.equal(tap(`${SSIG} 0x01 0x44 CHECKSIG`, 1000, F.DISCOURAGE_UPGRADABLE_PUBKEYTYPE).result, 'DISCOURAGE_UPGRADABLE_PUBKEYTYPE');
    assert.equal(tap(`0 0x01 0x44 CHECKSIG`, 1000, F.DISCOURAGE_UPGRADABLE_PUBKEYTYPE).result, 'DISCOURAGE_UPGRADABLE_PUBKEYTYPE');
  });
  test('a failing Schnorr check aborts with its error', () => {
    assert.equal(tap(`${SSIG} ${XKEY} CHECKSIG`, 1000, 0, 'SCHNORR_SIG').result, 'SCHNORR_SIG');
    assert.equal(tap(`${SSIG} ${XKEY} CHECKSIGVERIFY 1`).result, 'OK');
    assert.equal(tap(`0 ${XKEY} CHECKSIGVERIFY 1`).result, 'CHECKSIGVERIFY');
  });
  test('CHECKSIGADD: n + 1 for a signature, n for an empty one; tapscript only; three elements', () => {
    assert.deepEqual(tap(`${SSIG} 5 ${XKEY} CHECKSIGADD`).stack, ['06']);
    assert.deepEqual(tap(`0 5 ${XKEY} CHECKSIGADD`).stack, ['05']);
    assert.deepEqual(tap(`0 -1 ${XKEY} CHECKSIGADD`).stack, ['81']);
    assert.deepEqual(tap(`${SSIG} -1 ${XKEY} CHECKSIGADD`).stack, ['']);
    assert.equal(tap(`5 ${XKEY} CHECKSIGADD`).result, 'INVALID_STACK_OPERATION');
    assert.equal(tap(`0 0x05 0x0000000001 ${XKEY} CHECKSIGADD`).result, 'SCRIPTNUM');
    assert.equal(tap(`0 0x01 0x00 ${XKEY} CHECKSIGADD`, 1000, F.MINIMALDATA).result, 'SCRIPTNUM');
    assert.equal(tap(`${SSIG} 5 0 CHECKSIGADD`).result, 'TAPSCRIPT_EMPTY_PUBKEY');
    for (const sv of [BASE, WITNESS_V0]) assert.equal(evalResult(`0 5 ${XKEY} CHECKSIGADD`, { sv }), 'BAD_OPCODE');
  });
});
