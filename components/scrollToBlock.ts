/**
 * `/d/<id>#block-<blockId>` (links from the graph panel) scrolls to that block once the editor
 * has rendered it, and again whenever the hash changes. Returns a cleanup function.
 */
const BLOCK_HASH = /^#block-([0-9a-f-]{36})$/;
const TRIES = 50;

export function followBlockHash(): () => void {
  let timer: number | undefined;
  const scroll = () => {
    window.clearInterval(timer);
    const blockId = BLOCK_HASH.exec(window.location.hash)?.[1];
    if (!blockId) return;
    let tries = 0;
    // The block appears only after the collaborative document has synced.
    timer = window.setInterval(() => {
      const element = document.querySelector(`.ProseMirror [id="${blockId}"], .ProseMirror [data-id="${blockId}"]`);
      tries += 1;
      if (element) element.scrollIntoView({ block: 'center' });
      if (element || tries >= TRIES) window.clearInterval(timer);
    }, 100);
  };
  scroll();
  window.addEventListener('hashchange', scroll);
  return () => {
    window.clearInterval(timer);
    window.removeEventListener('hashchange', scroll);
  };
}
