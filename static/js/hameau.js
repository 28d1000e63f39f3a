// Small enhancements on top of pages that work without JavaScript. No inline script anywhere (CSP).
(function () {
  'use strict';

  // True the second time an element is seen, so that a swap never binds the same listener twice.
  function once(element) {
    if (element.hasAttribute('data-enhanced')) return true;
    element.setAttribute('data-enhanced', '');
    return false;
  }

  // After a form comes back with problems, or after an action, move focus to the message.
  function focusAutofocus(root) {
    var target = root.querySelector('[data-autofocus]');
    if (target) target.focus();
  }

  // "Copy" buttons next to links an admin hands over: shown only when the clipboard can be used.
  function enhanceCopyButtons(root) {
    root.querySelectorAll('[data-copy]').forEach(function (button) {
      if (!navigator.clipboard || once(button)) return;
      button.hidden = false;
      button.addEventListener('click', function () {
        var input = document.querySelector(button.getAttribute('data-copy'));
        if (!input) return;
        navigator.clipboard.writeText(input.value).then(function () {
          button.textContent = button.getAttribute('data-copied-label');
        });
      });
    });
    root.querySelectorAll('[data-select-on-focus]').forEach(function (input) {
      if (once(input)) return;
      input.addEventListener('focus', function () { input.select(); });
    });
  }

  // Close menus (the user menu, My spaces, an item's actions) when focus or a click leaves them, and with Escape.
  function enhanceMenus(root) {
    root.querySelectorAll('details.menu').forEach(function (menu) {
      if (once(menu)) return;
      menu.addEventListener('keydown', function (event) {
        if (event.key === 'Escape' && menu.open) {
          menu.open = false;
          menu.querySelector('summary').focus();
        }
      });
      menu.addEventListener('focusout', function (event) {
        if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) menu.open = false;
      });
    });
  }

  document.addEventListener('click', function (event) {
    document.querySelectorAll('details.menu[open]').forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  function enhance(root) {
    enhanceCopyButtons(root);
    enhanceMenus(root);
    focusAutofocus(root);
  }

  document.addEventListener('DOMContentLoaded', function () { enhance(document); });
  document.addEventListener('htmx:after:swap', function (event) {
    var target = (event.detail && event.detail.ctx && event.detail.ctx.target) || document.body;
    var wholePage = target === document.body;
    enhance(target.isConnected ? target : document.body);
    // A boosted navigation replaced the page: tell assistive technology by moving focus to the
    // new content, as a real page load would (unless a message already took the focus).
    if (wholePage && !document.querySelector('[data-autofocus]')) {
      var main = document.getElementById('main');
      if (main) main.focus({ preventScroll: true });
    }
  });
})();
