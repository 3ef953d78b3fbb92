/**
 * Frontline chat widget. Embed with one tag:
 *   <script src="https://frontline.example.com/widget.js" data-title="IT help" defer></script>
 * Optional attributes: data-position="left" (default right), data-locale="sv-SE", data-open="true".
 *
 * The launcher lives in a Shadow DOM (the host page's CSS cannot restyle it) and the chat itself in an iframe
 * to the Frontline server's own page (`/?embed=1`), so the chat keeps its origin, storage and styles and the
 * host page needs no CORS setup.
 */
(function () {
  'use strict';
  if (window.FrontlineWidget) return; // the tag was included twice

  var script =
    document.currentScript ||
    Array.prototype.slice.call(document.querySelectorAll('script[src]')).filter(function (s) {
      return /\/widget\.js(\?|#|$)/.test(s.src);
    })[0];
  if (!script) return;

  var base = new URL('.', script.src);
  var title = script.getAttribute('data-title') || 'IT help';
  var position = script.getAttribute('data-position') === 'left' ? 'left' : 'right';
  var locale = script.getAttribute('data-locale');

  var chatUrl = new URL('./', base);
  chatUrl.searchParams.set('embed', '1');
  chatUrl.searchParams.set('title', title);
  if (locale) chatUrl.searchParams.set('locale', locale);
  // data-user: who the visitor is, signed by this page's server with WEBCHAT_IDENTITY_SECRET.
  var signedUser = script && script.getAttribute('data-user');
  if (signedUser) chatUrl.searchParams.set('user', signedUser);

  var CSS = [
    ':host { all: initial; }',
    '.launcher { position: fixed; bottom: 20px; ' + position + ': 20px; z-index: 2147483000;',
    '  width: 60px; height: 60px; border-radius: 50%; border: 0; cursor: pointer;',
    '  background: #1d4ed8; color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.3);',
    '  display: flex; align-items: center; justify-content: center; }',
    '.launcher:hover { background: #1e40af; }',
    '.launcher:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 3px; box-shadow: 0 0 0 3px #fff; }',
    '.launcher svg { width: 28px; height: 28px; }',
    '.badge { position: absolute; top: 2px; right: 2px; width: 14px; height: 14px; border-radius: 50%;',
    '  background: #b42318; border: 2px solid #fff; }',
    '.panel { position: fixed; bottom: 92px; ' + position + ': 20px; z-index: 2147483001;',
    '  width: 380px; height: min(640px, calc(100vh - 112px)); border-radius: 16px; overflow: hidden;',
    '  background: #fff; box-shadow: 0 12px 40px rgba(0,0,0,.3); border: 1px solid #d8dde4; }',
    '.panel iframe { width: 100%; height: 100%; border: 0; display: block; color-scheme: normal; }',
    '[hidden] { display: none !important; }',
    '@media (max-width: 480px) {',
    '  .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; border: 0; }',
    '  .is-open .launcher { display: none; }',
    '}',
    '@media (prefers-reduced-motion: no-preference) {',
    '  .panel:not([hidden]) { animation: pop .16s ease-out; }',
    '  @keyframes pop { from { opacity: 0; transform: translateY(8px); } }',
    '}',
    '@media (forced-colors: active) { .launcher, .panel { border: 2px solid CanvasText; } }',
  ].join('\n');

  var ICON_CHAT = 'M4 5h16v11H9l-5 4z';
  var ICON_CLOSE = 'M6 6l12 12M18 6L6 18';

  // Built with DOM calls rather than innerHTML so pages enforcing Trusted Types accept the widget.
  function icon(pathData) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', pathData);
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', 'currentColor');
    path.setAttribute('stroke-width', '2');
    path.setAttribute('stroke-linecap', 'round');
    path.setAttribute('stroke-linejoin', 'round');
    svg.appendChild(path);
    return svg;
  }

  var host = document.createElement('div');
  host.setAttribute('data-frontline-widget', '');
  var root = host.attachShadow({ mode: 'open' });
  // A constructed stylesheet is not an inline <style>, so a strict style-src CSP on the host page allows it.
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    var style = document.createElement('style');
    style.textContent = CSS;
    root.appendChild(style);
  }
  var frame = document.createElement('div');

  var panel = document.createElement('div');
  panel.className = 'panel';
  panel.id = 'frontline-chat-panel';
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', title);
  panel.hidden = true;

  var launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'launcher';
  launcher.setAttribute('aria-controls', panel.id);
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('data-testid', 'widget-launcher');
  var badge = document.createElement('span');
  badge.className = 'badge';
  badge.hidden = true;
  badge.setAttribute('aria-hidden', 'true');

  var iframe = null;
  var isOpen = false;

  function renderLauncher() {
    launcher.replaceChildren(icon(isOpen ? ICON_CLOSE : ICON_CHAT), badge);
    var label = isOpen ? 'Close ' + title : 'Open ' + title + (badge.hidden ? '' : ' (new message)');
    launcher.setAttribute('aria-label', label);
    launcher.title = label;
    launcher.setAttribute('aria-expanded', String(isOpen));
  }

  function open(options) {
    if (!iframe) {
      // Created on first open: a page view alone never loads the chat.
      iframe = document.createElement('iframe');
      iframe.src = chatUrl.toString();
      iframe.title = title;
      iframe.setAttribute('allow', 'clipboard-write');
      iframe.setAttribute('data-testid', 'widget-frame');
      panel.appendChild(iframe);
    }
    isOpen = true;
    frame.className = 'is-open';
    panel.hidden = false;
    badge.hidden = true;
    renderLauncher();
    if (!options || options.focus !== false) focusChat();
  }

  function close() {
    isOpen = false;
    frame.className = '';
    panel.hidden = true;
    renderLauncher();
    launcher.focus();
  }

  function focusChat() {
    if (!iframe) return;
    iframe.focus();
    if (iframe.contentWindow) iframe.contentWindow.postMessage({ type: 'frontline:focus' }, base.origin);
  }

  launcher.addEventListener('click', function () {
    if (isOpen) close();
    else open();
  });


  window.addEventListener('message', function (event) {
    if (!iframe || event.source !== iframe.contentWindow || event.origin !== base.origin) return;
    var data = event.data || {};
    if (data.source !== 'frontline-webchat') return;
    if (data.type === 'close') close();
    else if (data.type === 'ready' && isOpen) focusChat();
    else if (data.type === 'message' && !isOpen) {
      badge.hidden = false;
      renderLauncher();
    }
  });

  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && isOpen) close();
  });

  // Launcher first: Tab goes from the button into the chat it opened.
  frame.appendChild(launcher);
  frame.appendChild(panel);
  root.appendChild(frame);
  renderLauncher();

  function mount() {
    document.body.appendChild(host);
    if (script.getAttribute('data-open') === 'true') open({ focus: false });
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  window.FrontlineWidget = { open: open, close: close };
})();
