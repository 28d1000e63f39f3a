// The bell's live unread count: ONE EventSource per tab (kept across htmx's boosted navigations, which
// only swap the body), opened only while the page has a bell (signed in). Each `unread` event carries
// { count, label } (label: the screen-reader text, already in the person's language). A rise in the
// count is also said politely through an aria-live region. Without EventSource nothing happens: the
// count is simply fresh on the next page. No inline script anywhere (CSP).
(function () {
  'use strict';
  if (typeof window.EventSource !== 'function') return;
  var source = null;
  var REGION_ID = 'live-bell-status';

  function bell() { return document.querySelector('a.notification-bell'); }

  // The polite live region: created ahead of any announcement (a region born with its text is often not read).
  function region() {
    var found = document.getElementById(REGION_ID);
    if (found) return found;
    var created = document.createElement('div');
    created.id = REGION_ID;
    created.className = 'visually-hidden';
    created.setAttribute('aria-live', 'polite');
    created.setAttribute('aria-atomic', 'true');
    document.body.appendChild(created);
    return created;
  }

  function shownCount(link) {
    var badge = link.querySelector('.notification-bell__count');
    return badge ? parseInt(badge.textContent, 10) || 0 : 0;
  }

  function show(data) {
    var link = bell();
    if (!link || typeof data.count !== 'number') return;
    var before = shownCount(link);
    var label = link.querySelector('.visually-hidden');
    var badge = link.querySelector('.notification-bell__count');
    if (data.count > 0) {
      if (!badge) {
        badge = document.createElement('span');
        badge.className = 'notification-bell__count';
        badge.setAttribute('aria-hidden', 'true');
        link.insertBefore(badge, label);
      }
      badge.textContent = data.count > 99 ? '99+' : String(data.count);
      link.classList.add('notification-bell--unread');
    } else {
      if (badge) badge.remove();
      link.classList.remove('notification-bell--unread');
    }
    if (label && data.label) label.textContent = data.label;
    if (data.count > before && data.label) region().textContent = data.label;
  }

  function connect() {
    if (source) return;
    source = new EventSource('/notifications/stream');
    source.addEventListener('unread', function (event) {
      try { show(JSON.parse(event.data)); } catch (ignored) { /* a malformed event changes nothing */ }
    });
    source.addEventListener('error', function () {
      // Refused (signed out, too many tabs) or closed by the server: the browser gives up; so do we.
      if (source && source.readyState === EventSource.CLOSED) source = null;
    });
  }

  function disconnect() {
    if (source) source.close();
    source = null;
  }

  function check() {
    if (bell()) {
      region();
      connect();
    } else {
      disconnect();
    }
  }

  document.addEventListener('DOMContentLoaded', check);
  document.addEventListener('htmx:after:swap', check);
  // Back/forward cache: a page put aside holds no connection; shown again, it reconnects.
  window.addEventListener('pagehide', disconnect);
  window.addEventListener('pageshow', function (event) { if (event.persisted) check(); });
})();
