/**
 * After a report is filed, an anonymous visitor is offered — once, politely, never required — to leave a name
 * and an email so the service desk can also reach them outside this chat. What they type is shown to agents as
 * given; it never links them to anyone else's tickets (only an identity signed by the host page does that).
 */

const INCIDENT_NUMBER = /\bINC-\d{6}\b/;
const dismissedKey = (conversationId) => `frontline.webchat.contact.${conversationId}`;

export function createContactOffer({ api, storage, container, context, getSession, onSaved }) {
  let shownFor = null;
  let checking = false;

  const el = (tag, attrs = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    return node;
  };

  function remove() {
    container.replaceChildren();
    container.hidden = true;
    shownFor = null;
  }

  function render(session, details) {
    const { t } = context();
    shownFor = session.conversationId;
    const nameInput = el('input', { id: 'contact-name', type: 'text', autocomplete: 'name', maxlength: '100', 'data-testid': 'contact-name' });
    if (details.name) nameInput.value = details.name;
    const emailInput = el('input', { id: 'contact-email', type: 'email', autocomplete: 'email', maxlength: '200', required: '', 'data-testid': 'contact-email', 'aria-describedby': 'contact-status' });
    const status = el('p', { id: 'contact-status', class: 'contact-offer__status', role: 'status', 'aria-live': 'polite' });
    const save = el('button', { type: 'submit', class: 'contact-offer__save', 'data-testid': 'contact-save', text: t('contactSave') });
    const skip = el('button', { type: 'button', class: 'link-button', 'data-testid': 'contact-skip', text: t('contactSkip') });
    const form = el('form', { class: 'contact-offer', 'aria-labelledby': 'contact-title', novalidate: '', 'data-testid': 'contact-offer' }, [
      el('h2', { id: 'contact-title', class: 'contact-offer__title', text: t('contactTitle') }),
      el('p', { class: 'contact-offer__why', text: t('contactWhy', { number: details.incidentNumber }) }),
      el('div', { class: 'contact-offer__fields' }, [
        el('label', { for: 'contact-name', text: t('contactName') }),
        nameInput,
        el('label', { for: 'contact-email', text: t('contactEmail') }),
        emailInput,
      ]),
      status,
      el('div', { class: 'contact-offer__actions' }, [save, skip]),
    ]);
    skip.addEventListener('click', () => {
      storage.setItem(dismissedKey(session.conversationId), 'dismissed');
      remove();
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const email = emailInput.value.trim();
      const name = nameInput.value.trim();
      if (!emailInput.checkValidity() || !email) {
        status.textContent = t('contactInvalidEmail');
        emailInput.setAttribute('aria-invalid', 'true');
        emailInput.focus();
        return;
      }
      emailInput.removeAttribute('aria-invalid');
      save.disabled = true;
      status.textContent = t('sending');
      try {
        const saved = await api.updateReporter(session, { ...(name ? { name } : {}), email });
        storage.setItem(dismissedKey(session.conversationId), 'saved');
        container.replaceChildren(el('p', { class: 'contact-offer contact-offer--done', role: 'status', 'data-testid': 'contact-done', text: t('contactThanks', { email: saved.email || email }) }));
        onSaved?.();
      } catch (error) {
        status.textContent = error.status === 400 ? t('contactInvalidEmail') : t('sendFailed', { reason: error.message });
        save.disabled = false;
      }
    });
    container.replaceChildren(form);
    container.hidden = false;
    container.scrollIntoView({ block: 'nearest' });
  }

  return {
    /** Called when bot messages arrive: offers the form once an incident number shows up (or on restore). */
    async check(messages) {
      const session = getSession();
      if (!session || checking || shownFor === session.conversationId) return;
      if (messages && !messages.some((m) => m.direction === 'out' && INCIDENT_NUMBER.test(m.text))) return;
      if (storage.getItem(dismissedKey(session.conversationId))) return;
      checking = true;
      try {
        const details = await api.reporter(session);
        if (getSession() !== session) return; // started over meanwhile
        if (details && details.incidentNumber && !details.email) render(session, details);
      } catch {
        // optional: try again with the next filing message
      } finally {
        checking = false;
      }
    },
    reset: remove,
  };
}
