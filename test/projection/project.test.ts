import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap';
import { buildEditorSchema } from '../../lib/editor/extensions';
import { diffBlocks, projectBlocks } from '../../lib/blocks/project';
import { plainText, YDOC_FIELD } from '../../lib/blocks/types';

const schema = buildEditorSchema();
let counter = 0;
const id = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const text = (value: string, marks?: Array<{ type: string; attrs?: Record<string, unknown> }>) => ({ type: 'text', text: value, marks });
const p = (value: string, attrs = { id: id() }) => ({ type: 'paragraph', attrs, content: value ? [text(value)] : [] });

/** A Yjs document exactly as the editor would store this ProseMirror JSON. */
function ydocOf(content: unknown[]): Y.Doc {
  const doc = new Y.Doc();
  prosemirrorJSONToYXmlFragment(schema, { type: 'doc', content }, doc.getXmlFragment(YDOC_FIELD));
  return doc;
}

describe('Yjs -> blocks projection', () => {
  it('maps every block type of the vocabulary with its content', () => {
    const ids = Array.from({ length: 14 }, id);
    const doc = ydocOf([
      { type: 'paragraph', attrs: { id: ids[0] }, content: [text('plain '), text('bold', [{ type: 'bold' }]), text(' link', [{ type: 'link', attrs: { href: 'https://example.com' } }])] },
      { type: 'heading', attrs: { id: ids[1], level: 1 }, content: [text('H1')] },
      { type: 'heading', attrs: { id: ids[2], level: 2 }, content: [text('H2')] },
      { type: 'heading', attrs: { id: ids[3], level: 3 }, content: [text('H3')] },
      { type: 'bulletList', content: [{ type: 'listItem', attrs: { id: ids[4] }, content: [p('bullet')] }] },
      { type: 'orderedList', content: [{ type: 'listItem', attrs: { id: ids[5] }, content: [p('first')] }] },
      { type: 'taskList', content: [{ type: 'taskItem', attrs: { id: ids[6], checked: true }, content: [p('done')] }] },
      { type: 'codeBlock', attrs: { id: ids[7], language: 'sql' }, content: [text('SELECT 1;')] },
      { type: 'blockquote', attrs: { id: ids[8] }, content: [p('line one'), p('line two')] },
      { type: 'callout', attrs: { id: ids[9], emoji: '💡' }, content: [text('Note this')] },
      { type: 'horizontalRule', attrs: { id: ids[10] } },
      {
        type: 'table',
        attrs: { id: ids[11] },
        content: [
          { type: 'tableRow', content: [{ type: 'tableHeader', content: [p('Province')] }, { type: 'tableHeader', content: [p('Rate')] }] },
          { type: 'tableRow', content: [{ type: 'tableCell', content: [p('Quebec')] }, { type: 'tableCell', content: [p('10%')] }] },
        ],
      },
      { type: 'image', attrs: { id: ids[12], src: 'https://example.com/a.png', alt: 'chart' } },
      { type: 'fileAttachment', attrs: { id: ids[13], href: 'https://example.com/a.pdf', name: 'a.pdf' } },
    ]);
    const { blocks, needsId } = projectBlocks(doc.getXmlFragment(YDOC_FIELD));
    assert.equal(needsId.length, 0);
    assert.deepEqual(
      blocks.map((b) => b.blockType),
      ['paragraph', 'heading_1', 'heading_2', 'heading_3', 'bulleted_list_item', 'numbered_list_item', 'to_do', 'code',
        'quote', 'callout', 'divider', 'table', 'image', 'file'],
    );
    assert.deepEqual(blocks.map((b) => b.id), ids);
    assert.deepEqual(blocks.map((b) => b.position), ids.map((_, i) => i));
    assert.deepEqual(blocks[0].content.rich_text, [
      { text: 'plain ' },
      { text: 'bold', marks: ['bold'] },
      { text: ' link', marks: ['link'], href: 'https://example.com' },
    ]);
    assert.equal(blocks[6].content.checked, true);
    assert.equal(blocks[7].content.language, 'sql');
    assert.equal(plainText(blocks[8].content), 'line one\nline two');
    assert.equal(blocks[9].content.emoji, '💡');
    assert.deepEqual(blocks[11].content.has_header, true);
    assert.deepEqual(
      (blocks[11].content.rows as Array<Array<Array<{ text: string }>>>).map((row) => row.map((cell) => cell[0].text)),
      [['Province', 'Rate'], ['Quebec', '10%']],
    );
    assert.equal(blocks[12].content.src, 'https://example.com/a.png');
    assert.equal(blocks[13].content.name, 'a.pdf');
  });

  it('nested list items point at their parent item, with positions among siblings', () => {
    const [a, a1, a2, a2x, b] = Array.from({ length: 5 }, id);
    const doc = ydocOf([
      {
        type: 'bulletList',
        content: [
          {
            type: 'listItem',
            attrs: { id: a },
            content: [
              p('A'),
              {
                type: 'orderedList',
                content: [
                  { type: 'listItem', attrs: { id: a1 }, content: [p('A.1')] },
                  {
                    type: 'listItem',
                    attrs: { id: a2 },
                    content: [p('A.2'), { type: 'taskList', content: [{ type: 'taskItem', attrs: { id: a2x, checked: false }, content: [p('todo')] }] }],
                  },
                ],
              },
            ],
          },
          { type: 'listItem', attrs: { id: b }, content: [p('B')] },
        ],
      },
    ]);
    const rows = projectBlocks(doc.getXmlFragment(YDOC_FIELD)).blocks.map((b) => [plainText(b.content), b.blockType, b.parentId, b.position, b.hasChildren]);
    assert.deepEqual(rows, [
      ['A', 'bulleted_list_item', null, 0, true],
      ['A.1', 'numbered_list_item', a, 0, false],
      ['A.2', 'numbered_list_item', a, 1, true],
      ['todo', 'to_do', a2, 0, false],
      ['B', 'bulleted_list_item', null, 1, false],
    ]);
  });

  it('a moved block keeps its id; only the rows whose position changed are rewritten', () => {
    const [x, y, z] = [id(), id(), id()];
    const doc = ydocOf([p('x', { id: x }), p('y', { id: y }), p('z', { id: z })]);
    const fragment = doc.getXmlFragment(YDOC_FIELD);
    const first = diffBlocks(new Map(), projectBlocks(fragment).blocks);
    assert.equal(first.upserts.length, 3);

    // What a drag does through y-prosemirror: delete the node, insert an equal one elsewhere.
    doc.transact(() => {
      const moved = new Y.XmlElement('paragraph');
      moved.setAttribute('id', z);
      moved.insert(0, [new Y.XmlText('z')]);
      fragment.delete(2, 1);
      fragment.insert(0, [moved]);
    });
    const second = diffBlocks(first.next, projectBlocks(fragment).blocks);
    assert.deepEqual(second.upserts.map((b) => [b.id, b.position]), [[z, 0], [x, 1], [y, 2]]);
    assert.deepEqual(second.deletes, []);

    // Editing the text of one block rewrites that row only.
    ((fragment.get(1) as Y.XmlElement).get(0) as Y.XmlText).insert(1, '!');
    const third = diffBlocks(second.next, projectBlocks(fragment).blocks);
    assert.deepEqual(third.upserts.map((b) => [b.id, plainText(b.content)]), [[x, 'x!']]);

    // Deleting a block deletes its row.
    fragment.delete(2, 1);
    const fourth = diffBlocks(third.next, projectBlocks(fragment).blocks);
    assert.deepEqual(fourth.deletes, [y]);
    assert.deepEqual(fourth.upserts, []);
  });

  it('a split-off block that carries its sibling’s id, or a block with no id, is flagged for a fresh id', () => {
    const shared = id();
    const doc = ydocOf([p('before split', { id: shared }), p('after split', { id: shared }), { type: 'paragraph', content: [text('pasted')] }]);
    const { blocks, needsId } = projectBlocks(doc.getXmlFragment(YDOC_FIELD));
    assert.deepEqual(blocks.map((b) => [b.id, plainText(b.content)]), [[shared, 'before split']]);
    assert.deepEqual(needsId.map((el) => el.toString().includes('after split') || el.toString().includes('pasted')), [true, true]);
  });

  it('unchanged state produces no writes, whatever the key order of stored JSON', () => {
    const doc = ydocOf([{ type: 'codeBlock', attrs: { id: id(), language: 'ts' }, content: [text('x')] }]);
    const { blocks } = projectBlocks(doc.getXmlFragment(YDOC_FIELD));
    const once = diffBlocks(new Map(), blocks);
    // A JSONB round trip reorders keys.
    const reordered = blocks.map((b) => ({ ...b, content: Object.fromEntries(Object.entries(b.content).reverse()) }));
    assert.deepEqual(diffBlocks(once.next, reordered).upserts, []);
  });
});
