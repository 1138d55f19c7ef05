/**
 * The "/" trigger: typing "/" at the start of a block or after a space opens the block menu.
 * Built on @tiptap/suggestion; the menu UI is injected through `render` so this module stays
 * free of React (the server loads the same extension list to build its schema).
 */
import type { Editor, Range } from '@tiptap/core';
import { Extension } from '@tiptap/core';
import { PluginKey } from '@tiptap/pm/state';
import { Suggestion, type SuggestionOptions } from '@tiptap/suggestion';
import { filterSlashCommands, type SlashCommand } from './slashCommands';

export type SlashMenuRender = NonNullable<SuggestionOptions<SlashCommand, SlashCommand>['render']>;

/** Asked of the UI when a chosen command needs values first (image URL, file name). */
export interface SlashInputRequest {
  editor: Editor;
  command: SlashCommand;
}

export interface SlashCommandOptions {
  render: SlashMenuRender | null;
  onRequestInput: ((request: SlashInputRequest) => void) | null;
}

export const slashCommandPluginKey = new PluginKey('slashCommand');

/** Removes the typed "/query" and applies the command (or asks the UI for its fields first). */
export function applySlashCommand(
  editor: Editor,
  range: Range,
  command: SlashCommand,
  onRequestInput: SlashCommandOptions['onRequestInput'],
): boolean {
  editor.chain().focus().deleteRange(range).run();
  if (command.fields && command.fields.length > 0) {
    if (!onRequestInput) return false;
    onRequestInput({ editor, command });
    return true;
  }
  return command.run(editor, {});
}

export const SlashCommandMenu = Extension.create<SlashCommandOptions>({
  name: 'slashCommand',

  addOptions() {
    return { render: null, onRequestInput: null };
  },

  addProseMirrorPlugins() {
    const { render, onRequestInput } = this.options;
    if (!render) return [];
    return [
      Suggestion<SlashCommand, SlashCommand>({
        pluginKey: slashCommandPluginKey,
        editor: this.editor,
        char: '/',
        allowSpaces: false,
        // Browsers may type a no-break space before the caret at the end of a line.
        allowedPrefixes: [' ', '\u00a0'],
        startOfLine: false,
        decorationClass: 'slash-query',
        // Typing "/" inside code is just a slash.
        allow: ({ state, range }) => !state.doc.resolve(range.from).parent.type.spec.code,
        items: ({ query }) => filterSlashCommands(query),
        command: ({ editor, range, props }) => {
          applySlashCommand(editor, range, props, onRequestInput);
        },
        render,
      }),
    ];
  },
});
