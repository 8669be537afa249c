/**
 * The definitions page in a real browser: the workflows with their versions; a new version
 * written as JSON with mistakes, the save-time problems listed with the lines they come from
 * (each a button putting the cursor there), invalid JSON reported with its line, then fixed and
 * created; activate and deactivate; two versions' diagrams side by side; no serious
 * accessibility violation and no CSP violation.
 */
import type { Page } from 'playwright-core';
import { definition } from '@wf/testkit/definitions';
import { pageErrors, screenshot, seriousA11yViolations, startWebApp, type WebApp } from './web-kit';

const NAME = 'Definitions page: Leave request';

let web: WebApp;

beforeAll(async () => {
  web = await startWebApp();
  await web.as('admin').define(
    definition(NAME)
      .approval('manager', { approverRole: 'manager', name: 'Manager approves' })
      .setContext('book', { booked: true }, { name: 'Book the leave' })
      .chain('manager', 'book')
      .with({ description: 'Days off, approved by the manager' })
      .build(),
  );
});
afterAll(() => web?.close());

const editor = (page: Page) => page.getByLabel('Definition JSON');

/** The 1-based line of the text's first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`no line contains ${needle}`);
  return index + 1;
}

/** The line the editor's cursor is on, and whether the editor has the focus. */
function cursor(page: Page): Promise<{ line: number; focused: boolean }> {
  return page.evaluate(() => {
    const el = document.querySelector('textarea') as HTMLTextAreaElement;
    return { line: el.value.slice(0, el.selectionStart).split('\n').length, focused: document.activeElement === el };
  });
}

describe('the definitions page', () => {
  it('lists the workflows with their versions', async () => {
    const page = await web.signedIn('admin');
    await page.goto('/workflows/definitions');
    const row = page.getByRole('row', { name: new RegExp(NAME) });
    await row.waitFor();
    expect(await row.innerText()).toContain('v1');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await row.getByRole('link', { name: NAME }).click();
    await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
    await page.context().close();
  });

  it('creates a version from JSON: problems with their lines, fixed, created; activate, deactivate; two versions side by side', async () => {
    const page = await web.signedIn('admin');
    const errors = await pageErrors(page, async () => {
      await page.goto(`/workflows/definitions/${encodeURIComponent(NAME)}`);
      await page.locator('[data-testid="compare-right-diagram"] .wf-diagram-canvas[data-state="ready"]').waitFor();

      // the editor starts from the latest version, as a body POST /api/definitions takes
      const latest = JSON.parse(await editor(page).inputValue()) as { name: string; nodes: Record<string, unknown>[]; routes: Record<string, unknown>[] };
      expect(latest.name).toBe(NAME);
      expect(latest).not.toHaveProperty('id');
      expect(latest).not.toHaveProperty('version');

      // invalid JSON: reported with its line, nothing sent
      const broken = JSON.stringify(latest, null, 2).replace('"nodes": [', '"nodes": [\n    ,');
      await editor(page).fill(broken);
      await page.getByRole('button', { name: 'Create version' }).click();
      const problems = page.getByTestId('definition-problems');
      await problems.filter({ hasText: 'The text is not valid JSON' }).waitFor();
      await problems.getByRole('button', { name: `Line ${lineOf(broken, '    ,')}` }).waitFor();

      // a version with two mistakes: an unknown service type, a route condition that does not compile
      const next = structuredClone(latest);
      next.nodes.push({ id: 'notify', nodeType: 'service_task', name: 'Notify HR', serviceType: 'no_such_service', serviceConfig: {} });
      next.routes.push({ fromNodeId: 'book', toNodeId: 'notify', condition: 'context.days >' });
      const wrong = JSON.stringify(next, null, 2);
      await editor(page).fill(wrong);
      await page.getByRole('button', { name: 'Create version' }).click();
      await problems.filter({ hasText: /The definition has \d+ problems?/ }).waitFor();
      const typeLine = lineOf(wrong, '"serviceType": "no_such_service"');
      const conditionLine = lineOf(wrong, '"condition": "context.days >"');
      const typeProblem = problems.getByRole('button', { name: `Line ${typeLine}: nodes[2].serviceType` });
      await typeProblem.waitFor();
      await problems.getByRole('button', { name: `Line ${conditionLine}: routes[1].condition` }).waitFor();
      await screenshot(page, 'definitions-problems');

      // each problem moves the cursor to its line (by keyboard too)
      await typeProblem.click();
      expect(await cursor(page)).toEqual({ line: typeLine, focused: true });
      await problems.getByRole('button', { name: `Line ${conditionLine}: routes[1].condition` }).focus();
      await page.keyboard.press('Enter');
      expect(await cursor(page)).toEqual({ line: conditionLine, focused: true });
      expect(await seriousA11yViolations(page)).toEqual([]);

      // fixed: version 2 is created and listed
      next.nodes[2] = { ...next.nodes[2], serviceType: 'set_context', serviceConfig: { values: { notified: true } } };
      next.routes[1] = { fromNodeId: 'book', toNodeId: 'notify', condition: 'context.booked == true' };
      await editor(page).fill(JSON.stringify(next, null, 2));
      await page.getByRole('button', { name: 'Create version' }).click();
      await page.getByTestId('definition-created').filter({ hasText: `Version 2 of “${NAME}” created and active` }).waitFor();
      await expect(problems.innerText()).resolves.toBe('');
      const versions = page.getByTestId('versions');
      await versions.locator('tbody tr[data-version="2"]').waitFor();
      await expect(versions.locator('tbody tr').count()).resolves.toBe(2);

      // deactivate version 1, activate it again (the API's answer in the row)
      const v1 = versions.locator('tbody tr[data-version="1"]');
      await v1.getByRole('button', { name: 'Deactivate version 1', exact: true }).click();
      await v1.getByRole('button', { name: 'Activate version 1', exact: true }).waitFor();
      expect(await v1.innerText()).toContain('inactive');
      const listed = await web.as('admin').get('/api/definitions', { name: NAME });
      expect((listed.body.items as { version: number; isActive: boolean }[]).find((d) => d.version === 1)?.isActive).toBe(false);
      await v1.getByRole('button', { name: 'Activate version 1', exact: true }).click();
      await v1.getByRole('button', { name: 'Deactivate version 1', exact: true }).waitFor();

      // side by side: version 1 on the left, version 2 on the right, each its own diagram
      await page.getByLabel('Left version').selectOption({ label: 'Version 1 (active)' });
      await page.getByLabel('Right version').selectOption({ label: 'Version 2 (active)' });
      const left = page.getByTestId('compare-left');
      const right = page.getByTestId('compare-right');
      await left.locator('.wf-diagram-canvas[data-state="ready"]').waitFor();
      await right.locator('.wf-diagram-canvas[data-state="ready"]').waitFor();
      await expect(left.getAttribute('data-version')).resolves.toBe('1');
      await expect(right.getAttribute('data-version')).resolves.toBe('2');
      await right.locator('[data-element-id="Node_notify"]').waitFor();
      await expect(left.locator('[data-element-id="Node_notify"]').count()).resolves.toBe(0);
      await expect(left.locator('[data-element-id="Node_manager"]').count()).resolves.toBe(1);
      await expect(right.innerText()).resolves.toContain('Only here: Notify HR.');
      // the condition is the flow's name on the diagram (bpmn-js wraps it in lines)
      const label = await right.locator('[data-element-id="Flow_2_label"] text').textContent();
      expect(label?.replace(/\s+/g, '')).toBe('context.booked==true');
      expect(await seriousA11yViolations(page)).toEqual([]);
      await screenshot(page, 'definitions');
    });
    // the browser logs the API's 400 answers to the two refused saves; nothing else may be reported
    expect(errors.filter((e) => !e.includes('status of 400 (Bad Request)'))).toEqual([]);
    expect(errors).toHaveLength(1);
    await page.context().close();
  });

  it('offers no editing to someone who is not an admin', async () => {
    const page = await web.signedIn('manager');
    await page.goto(`/workflows/definitions/${encodeURIComponent(NAME)}`);
    await page.getByTestId('versions').waitFor();
    await page.getByText('Only an admin may create or activate versions.').waitFor();
    await expect(page.getByRole('button', { name: /Activate|Deactivate|Create version/ }).count()).resolves.toBe(0);
    await page.context().close();
  });
});
