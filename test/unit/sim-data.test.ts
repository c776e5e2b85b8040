// The simulator's seed: ids, agents, queues, AntCRM records, and the caller-number helpers tests rely on.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createSeed,
  customerNumbers,
  expectedContacts,
  LEGACY_MOBILE_PREFIXES,
  legacyForm,
  modernForm,
  stripPhone,
  UNKNOWN_NUMBERS,
} from '../../src/simulator/data.js';

const t = suite('simulator seed');
const HEX32 = /^[0-9a-f]{32}$/;

t('one org, 6 agents with 32-hex ids, SIP devices and extensions, 2 queues of known members', () => {
  const d = createSeed();
  assert.match(d.org.accountId, HEX32);
  assert.is(d.org.did, '02873019555');
  assert.is(d.org.realm, 'acme.antring.vn');
  assert.is(d.agents.length, 6);
  for (const a of d.agents) {
    assert.match(a.userId, HEX32);
    assert.match(a.username, /^[a-z]+\.[a-z]+$/);
    assert.ok(a.ext.length >= 1 && a.ext.every((e) => /^\d{4}$/.test(e)));
    assert.ok(a.device.sipUser && a.device.sipPassword);
  }
  assert.ok(
    d.agents.some((a) => /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i.test(a.name)),
    'Vietnamese names',
  );
  assert.ok(
    d.agents.some((a) => !a.device.online),
    'one device offline',
  );
  assert.is(new Set(d.agents.map((a) => a.userId)).size, 6);
  assert.is(d.queues.length, 2);
  const ids = new Set(d.agents.map((a) => a.userId));
  for (const q of d.queues) assert.ok(q.agents.length >= 4 && q.agents.every((id) => ids.has(id)));
  assert.is(createSeed({ accountId: 'a'.repeat(32) }).org.accountId, 'a'.repeat(32));
});

t('about 40 AntCRM records in the raw shape', () => {
  const d = createSeed();
  assert.ok(d.contacts.length >= 38);
  for (const r of d.contacts) {
    assert.ok(r.contactType === 'lead' || r.contactType === 'customer');
    if (r.contactType === 'lead') assert.ok(r.leadId && !r.customerId);
    else assert.ok(r.customerId && !r.leadId && (r.type === '0' || r.type === '1'));
    assert.ok(Array.isArray(r.phones) && Array.isArray(r.emails) && Array.isArray(r.tags));
    assert.type(r.scoreRank, 'number');
    assert.type(r.rankName, 'string');
  }
  assert.ok(
    d.contacts.some((r) => r.type === '1'),
    'an account',
  );
  assert.ok(
    d.contacts.some((r) => r.phones.some((p) => /[ .-]/.test(p))),
    'some phones stored with separators',
  );
});

t('legacy 11-digit storage: at least one number of each carrier family', () => {
  const stored = createSeed()
    .contacts.flatMap((r) => r.phones.map(stripPhone))
    .filter((p) => p.length === 11 && LEGACY_MOBILE_PREFIXES[p.slice(0, 4)]);
  const families = {
    viettel: /^016/,
    mobifone: /^012[01268]/,
    vinaphone: /^012[34579]/,
    vietnamobile: /^018/,
    gmobile: /^0199/,
  };
  for (const [name, re] of Object.entries(families))
    assert.ok(
      stored.some((p) => re.test(p)),
      `a legacy ${name} number`,
    );
  assert.ok(stored.includes('01693608879'), 'the seed document sample');
});

t('legacyForm / modernForm', () => {
  assert.is(modernForm('01693608879'), '0393608879');
  assert.is(modernForm('0169.360.8879'), '0393608879');
  assert.is(modernForm('02838223344'), '02838223344');
  assert.is(legacyForm('0393608879'), '01693608879');
  assert.is(legacyForm('0934890883'), undefined);
});

t('customerNumbers: withContact / legacy / multiple / unknown', () => {
  const d = createSeed();
  const all = customerNumbers();
  assert.equal(d.customerNumbers({}), all);
  const known = customerNumbers({ withContact: true });
  const unknown = customerNumbers({ withContact: false });
  assert.is(known.length + unknown.length, all.length);
  assert.equal(unknown.sort(), [...UNKNOWN_NUMBERS].sort());
  for (const n of unknown) assert.is(expectedContacts(n).length, 0);

  const legacy = customerNumbers({ legacy: true });
  assert.ok(legacy.length >= 5);
  for (const n of legacy) {
    assert.is(n.length, 10, 'callers show the new form');
    const lf = legacyForm(n)!;
    assert.ok(
      expectedContacts(n).some((r) => r.phones.map(stripPhone).includes(lf)),
      `${n} stored as ${lf}`,
    );
    assert.not.ok(
      d.contacts.some((r) => r.phones.map(stripPhone).includes(n)) && expectedContacts(n).length === 1,
      'not also in new form',
    );
  }
  const multiple = customerNumbers({ multiple: true });
  assert.ok(multiple.length >= 3);
  for (const n of multiple) assert.ok(d.expectedContacts(n).length >= 2);
  assert.ok(
    customerNumbers({ multiple: true, legacy: true }).length >= 1,
    'a number split across the legacy and the new form',
  );

  const plain = customerNumbers({ withContact: true, legacy: false, multiple: false });
  assert.ok(plain.length >= 10);
  for (const n of plain) assert.is(expectedContacts(n).length, 1);
  // Integration tests pick the first few plain numbers: none of them has a legacy form to ask as well.
  for (const n of plain.slice(0, 8)) assert.is(legacyForm(n), undefined, n);
});

t.run();
