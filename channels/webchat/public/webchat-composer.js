/**
 * The message composer: textarea (Enter sends, Shift+Enter breaks the line), send button that is disabled
 * while there is nothing to send, and attachments that are size-checked, then uploaded as soon as they are
 * picked so that sending is instant.
 */
import { el } from './webchat-render.js';
import { formatBytes } from './webchat-i18n.js';

const MAX_INPUT_HEIGHT_PX = 160;

/**
 * @param {object} o
 * @param {HTMLFormElement} o.form
 * @param {HTMLTextAreaElement} o.input
 * @param {HTMLButtonElement} o.sendButton
 * @param {HTMLInputElement} o.fileInput
 * @param {HTMLUListElement} o.stagedList
 * @param {() => {t: Function, locale: string, maxBytes?: number, maxTextLength?: number}} o.context  read on every use: it changes after config loads
 * @param {(file: File) => Promise<object>} o.upload  resolves to the attachment metadata
 * @param {(text: string) => void} o.notify
 * @param {(draft: {text: string, attachments: object[]}) => void} o.onSubmit
 */
export function createComposer({ form, input, sendButton, fileInput, stagedList, context, upload, notify, onSubmit }) {
  /** @type {{file: File, state: 'uploading'|'ready'|'failed', meta?: object, node: HTMLElement}[]} */
  let staged = [];
  let enabled = true;

  const hasText = () => input.value.trim() !== '';
  const uploading = () => staged.some((s) => s.state === 'uploading');
  const ready = () => staged.filter((s) => s.state === 'ready');

  function refresh() {
    sendButton.disabled = !enabled || uploading() || (!hasText() && ready().length === 0);
    stagedList.hidden = staged.length === 0;
  }

  function autosize() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, MAX_INPUT_HEIGHT_PX)}px`;
  }

  function submit() {
    if (sendButton.disabled) return;
    const text = input.value.trim();
    const { t, maxTextLength } = context();
    // Checked here so the text is never cleared for a message the server would refuse.
    if (maxTextLength && text.length > maxTextLength) {
      input.setAttribute('aria-invalid', 'true');
      notify(t('tooLong', { length: text.length.toLocaleString(), max: maxTextLength.toLocaleString() }));
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    const attachments = ready().map((s) => s.meta);
    onSubmit({ text, attachments });
    input.value = '';
    for (const s of staged) s.node.remove();
    staged = [];
    autosize();
    refresh();
  }

  function removeStaged(item) {
    staged = staged.filter((s) => s !== item);
    item.node.remove();
    refresh();
    input.focus();
  }

  function renderStaged(item) {
    const { t, locale } = context();
    const name = item.file.name || 'file';
    const status = el('span', { className: 'staged__status' });
    const remove = el('button', {
      type: 'button',
      className: 'staged__remove',
      'aria-label': t('removeAttachment', { name }),
      title: t('removeAttachment', { name }),
      text: '×',
      onclick: () => removeStaged(item),
    });
    item.node = el(
      'li',
      { className: 'staged__item' },
      el('span', { className: 'staged__name', text: name }),
      el('span', { className: 'staged__size', text: formatBytes(item.file.size, locale) }),
      status,
      remove,
    );
    item.setStatus = (text) => {
      status.textContent = text;
    };
    stagedList.append(item.node);
  }

  async function stage(file) {
    const { t, locale, maxBytes } = context();
    const name = file.name || 'file';
    if (maxBytes && file.size > maxBytes) {
      // Checked before uploading: no point sending megabytes the server will refuse.
      notify(t('tooLarge', { name, size: formatBytes(file.size, locale), max: formatBytes(maxBytes, locale) }));
      return;
    }
    const item = { file, state: 'uploading', node: null };
    staged.push(item);
    renderStaged(item);
    item.setStatus(t('uploading'));
    item.node.classList.add('staged__item--uploading');
    refresh();
    try {
      item.meta = await upload(file);
      item.state = 'ready';
      item.setStatus('');
    } catch (error) {
      staged = staged.filter((s) => s !== item);
      item.node.remove();
      notify(t('uploadFailed', { name, reason: error.message }));
    }
    item.node.classList.remove('staged__item--uploading');
    refresh();
  }

  function stageAll(files) {
    for (const file of files) void stage(file);
  }

  input.addEventListener('keydown', (event) => {
    // isComposing: Enter confirms an IME candidate (Japanese, Chinese…) and must not send.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', () => {
    autosize();
    refresh();
  });
  input.addEventListener('paste', (event) => {
    const files = Array.from(event.clipboardData?.files ?? []);
    if (files.length > 0) {
      event.preventDefault();
      stageAll(files);
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  form.addEventListener('dragover', (event) => {
    if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
  });
  form.addEventListener('drop', (event) => {
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length > 0) {
      event.preventDefault();
      stageAll(files);
    }
  });
  fileInput.addEventListener('change', () => {
    const files = Array.from(fileInput.files ?? []);
    fileInput.value = ''; // picking the same file again must fire change again
    stageAll(files);
  });

  refresh();
  return {
    focus: () => input.focus(),
    /** Puts text back (a message that could not be delivered to a conversation that vanished). */
    restore(text) {
      if (!text || hasText()) return;
      input.value = text;
      autosize();
      refresh();
    },
    reset() {
      input.value = '';
      for (const s of staged) s.node.remove();
      staged = [];
      autosize();
      refresh();
    },
    setEnabled(value) {
      enabled = value;
      refresh();
    },
    refresh,
  };
}
