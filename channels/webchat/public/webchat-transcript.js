/**
 * The transcript: which messages are shown, in which order, and the quick replies under the last bot message.
 *
 * Server messages arrive in server order (history, SSE, polling) and may arrive twice: they are deduplicated
 * by id. The reporter's own messages are shown at once as local entries; they are matched with the server's
 * copy when it arrives (by id once the POST answered, else by text) so nothing is shown twice.
 */
import { renderChoices, renderDeliveryState, renderMessage } from './webchat-render.js';

const NEAR_BOTTOM_PX = 80;

/**
 * @param {object} o
 * @param {HTMLElement} o.log  the role="log" element holding one node per message
 * @param {HTMLElement} o.scroller  the scrolling container around it
 * @param {HTMLElement} o.empty  "no messages yet", shown once history is known to be empty
 * @param {() => object} o.context  rendering context (t, locale, baseUrl)
 * @param {(choice: {id: string, label: string}) => void} o.onChoose
 */
export function createTranscript({ log, scroller, empty, context, onChoose }) {
  /** Message id → node. */
  const known = new Map();
  /** Node → message. */
  const messageOf = new WeakMap();
  /** Nodes whose place in server order is known; local, unconfirmed ones stay after them. */
  const placed = new WeakSet();
  /** Local entries not yet matched with a server id: {node, id?, matchText, attachmentIds}. */
  let locals = [];
  let loaded = false;
  let stick = true;

  const isNearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  const scrollToBottom = () => {
    scroller.scrollTop = scroller.scrollHeight;
  };
  // Follow new content only while the reporter is at the bottom; never yank them away from older messages.
  scroller.addEventListener('scroll', () => (stick = isNearBottom()), { passive: true });
  // The viewport shrinks when the notice, file chips or the phone keyboard appear.
  const resizes = new ResizeObserver(() => stick && scrollToBottom());
  resizes.observe(scroller);
  resizes.observe(log);

  function firstUnplaced() {
    for (const node of log.children) if (!placed.has(node)) return node;
    return null;
  }

  function insert(message, before) {
    const previousNode = before ? before.previousElementSibling : log.lastElementChild;
    const node = renderMessage(message, context(), messageOf.get(previousNode) ?? null);
    messageOf.set(node, message);
    log.insertBefore(node, before);
    return node;
  }

  /** Quick replies belong to the last bot/agent message, and only until the reporter has answered it. */
  function updateChoices() {
    let target = null;
    for (const node of log.children) {
      if (node.classList.contains('msg--in')) target = null;
      else if (!node.classList.contains('msg--system')) target = node;
    }
    for (const group of log.querySelectorAll('.choices')) if (group.parentElement !== target) group.remove();
    const message = target && messageOf.get(target);
    if (!message || message.choices.length === 0 || target.querySelector('.choices')) return;
    target.append(renderChoices(message.choices, context(), onChoose));
  }

  function updateEmpty() {
    empty.hidden = !loaded || log.childElementCount > 0;
  }

  function claimLocal(message) {
    const text = message.text.trim();
    const attachmentIds = message.attachments.map((a) => a.id).sort().join(',');
    return locals.find(
      (local) =>
        !local.id &&
        local.matchTexts.includes(text) &&
        (local.attachmentIds === '' || local.attachmentIds === attachmentIds),
    );
  }

  function settle() {
    updateChoices();
    updateEmpty();
  }

  return {
    /** Adds server messages; returns how many bot/agent/system messages were new. */
    ingest(messages) {
      const follow = stick;
      let newOutbound = 0;
      for (const message of messages) {
        const existing = known.get(message.id);
        if (existing && placed.has(existing)) continue;
        // Each message goes after everything placed before it and before the reporter's local entries
        // (e.g. the greeting the server sends when the first message created the conversation).
        const before = firstUnplaced();
        if (existing) {
          if (existing !== before) log.insertBefore(existing, before); // acknowledged earlier, now in place
          placed.add(existing);
          continue;
        }
        const local = message.direction === 'in' ? claimLocal(message) : null;
        let node;
        if (local) {
          const anchor = local.node === before ? local.node.nextElementSibling : before;
          const delivery = local.node.querySelector('.msg__delivery');
          local.node.remove();
          node = insert(message, anchor);
          if (delivery && !local.acknowledged) node.append(delivery); // still "Sending…" until the POST answers
          local.node = node;
          local.id = message.id;
        } else {
          node = insert(message, before);
          if (message.direction === 'out') newOutbound += 1;
        }
        known.set(message.id, node);
        placed.add(node);
      }
      settle();
      if (follow) scrollToBottom();
      return newOutbound;
    },

    /**
     * Shows the reporter's message before the server has it. `matchTexts` are what the server's copy may
     * say (a choice's label or id). Returns the handle that `acknowledge` and `setDelivery` take.
     */
    addLocal(message, matchTexts) {
      const local = {
        node: insert(message, null),
        id: undefined,
        acknowledged: false,
        matchTexts: matchTexts.map((t) => String(t).trim()),
        attachmentIds: message.attachments.map((a) => a.id).sort().join(','),
      };
      locals.push(local);
      settle();
      scrollToBottom();
      return local;
    },

    /** The POST answered with the server's id for a local entry. */
    acknowledge(local, messageId) {
      local.acknowledged = true;
      renderDeliveryState(local.node, 'sent', context());
      locals = locals.filter((l) => l !== local);
      if (typeof messageId !== 'string' || local.id === messageId) return;
      const shown = known.get(messageId);
      if (shown && shown !== local.node) {
        local.node.remove(); // the live feed showed it already without recognising it as ours
        local.node = shown;
        settle();
      } else {
        local.id = messageId;
        local.node.dataset.id = messageId;
        known.set(messageId, local.node);
      }
    },

    setDelivery(local, state, onRetry) {
      renderDeliveryState(local.node, state, context(), onRetry);
    },

    /** History is in: an empty conversation may now say so. */
    markLoaded() {
      loaded = true;
      updateEmpty();
    },

    reset() {
      known.clear();
      locals = [];
      log.replaceChildren();
      stick = true;
      updateEmpty();
    },
  };
}
