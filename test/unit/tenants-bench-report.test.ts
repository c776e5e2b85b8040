// The Tenants section of docs/performance.md survives `npm run bench` regenerating the page (bench/tenants-report.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { keepTenantsSection } from '../../bench/tenants-report.js';

const section = '<!-- tenants:begin -->\n## Tenants\n\n| a | b |\n<!-- tenants:end -->';

test('the old page’s tenants section is put back at the end of the new one', () => {
  const old = `# Performance\n\nold figures\n\n${section}\n\n## after\n`;
  assert.is(keepTenantsSection(old, '# Performance\n\nnew figures\n'), `# Performance\n\nnew figures\n\n${section}\n`);
});

test('nothing to keep, or the new page has one already: the new page as it is', () => {
  assert.is(keepTenantsSection(undefined, 'new\n'), 'new\n');
  assert.is(keepTenantsSection('no section\n', 'new\n'), 'new\n');
  assert.is(keepTenantsSection(section, `new\n${section}\n`), `new\n${section}\n`);
});

test('the split-tenants section is kept too, after the tenants section', () => {
  const split = '<!-- split-tenants:begin -->\n## Split over tenants\n<!-- split-tenants:end -->';
  const old = `# Performance\n\n${section}\n\n${split}\n`;
  assert.is(keepTenantsSection(old, '# New\n'), `# New\n\n${section}\n\n${split}\n`);
  assert.is(keepTenantsSection(`# Performance\n\n${split}\n`, '# New\n'), `# New\n\n${split}\n`);
});

test.run();
