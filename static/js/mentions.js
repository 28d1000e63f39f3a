// Mention autocomplete for text areas marked data-mentions: typing "@" and two letters offers up to
// eight people (GET /people/suggest?q=, an HTML listbox); arrows choose, Enter or Tab inserts
// "@[Name](id)" (the syntax src/content/markdown.ts reads), Escape closes. Without this script,
// people type "@[Full Name]" themselves. No inline script anywhere (CSP); loaded once per document.
(function () {
  'use strict';
  if (window.hameauMentions) return;
  window.hameauMentions = true;

  var MIN_LENGTH = 2;
  var DELAY_MS = 150;
  // "@" at the start or after a space or "(", then a name of at most two words, right before the caret.
  var TOKEN = /(^|[\s(])@([^\s@[\]()]{2,40}(?: [^\s@[\]()]{0,40})?)$/;

  var state = null; // { textarea, list, start, options: [{ id, name, element }], index }
  var timer = null;
  var pending = null;
  var counter = 0;

  function announcer() {
    var region = document.getElementById('mentions-status');
    if (!region) {
      region = document.createElement('div');
      region.id = 'mentions-status';
      region.className = 'visually-hidden';
      region.setAttribute('role', 'status');
      document.body.appendChild(region);
    }
    return region;
  }

  function listFor(textarea) {
    if (!textarea.id) textarea.id = 'mentions-text-' + (++counter);
    var id = textarea.id + '-mentions';
    var list = document.getElementById(id);
    if (!list) {
      list = document.createElement('ul');
      list.id = id;
      list.className = 'mention-suggestions';
      list.setAttribute('role', 'listbox');
      list.hidden = true;
      textarea.insertAdjacentElement('afterend', list);
      if (textarea.parentElement) textarea.parentElement.classList.add('mentions-host');
      textarea.setAttribute('aria-autocomplete', 'list');
      textarea.setAttribute('aria-controls', id);
      textarea.setAttribute('aria-expanded', 'false');
      list.addEventListener('mousedown', function (event) {
        // Keep the focus in the text area while a name is picked with the mouse.
        event.preventDefault();
        var option = event.target.closest('[role="option"]');
        if (option && state && state.list === list) choose(Number(option.getAttribute('data-index')));
      });
    }
    return list;
  }

  function close() {
    if (pending) pending.abort();
    pending = null;
    clearTimeout(timer);
    if (!state) return;
    state.list.hidden = true;
    state.list.textContent = '';
    state.textarea.setAttribute('aria-expanded', 'false');
    state.textarea.removeAttribute('aria-activedescendant');
    state = null;
  }

  function highlight(index) {
    if (!state) return;
    state.index = index;
    state.options.forEach(function (option, i) {
      option.element.setAttribute('aria-selected', i === index ? 'true' : 'false');
    });
    var current = state.options[index];
    if (current) {
      state.textarea.setAttribute('aria-activedescendant', current.element.id);
      current.element.scrollIntoView({ block: 'nearest' });
    } else {
      state.textarea.removeAttribute('aria-activedescendant');
    }
  }

  function choose(index) {
    if (!state || !state.options[index]) return;
    var textarea = state.textarea;
    var person = state.options[index];
    var caret = textarea.selectionStart;
    // The name is only a reminder for the reader of the source: the id decides who is mentioned.
    var name = person.name.replace(/[[\]\n]/g, '').trim() || person.id;
    var inserted = '@[' + name + '](' + person.id + ') ';
    textarea.value = textarea.value.slice(0, state.start) + inserted + textarea.value.slice(caret);
    var after = state.start + inserted.length;
    textarea.setSelectionRange(after, after);
    close();
    textarea.focus();
  }

  function show(textarea, start, html) {
    var list = listFor(textarea);
    var parsed = new DOMParser().parseFromString(html, 'text/html');
    var source = parsed.querySelector('[role="listbox"]');
    var options = [];
    list.textContent = '';
    if (source) list.setAttribute('aria-label', source.getAttribute('aria-label') || '');
    parsed.querySelectorAll('[role="option"][data-id]').forEach(function (item, index) {
      // Built from attributes and text only: nothing from the answer is parsed into the page as HTML.
      var element = document.createElement('li');
      element.id = list.id + '-' + index;
      element.className = 'mention-suggestions__option';
      element.setAttribute('role', 'option');
      element.setAttribute('aria-selected', 'false');
      element.setAttribute('data-index', String(index));
      element.textContent = item.getAttribute('data-name') || '';
      list.appendChild(element);
      options.push({ id: item.getAttribute('data-id'), name: item.getAttribute('data-name') || '', element: element });
    });
    state = { textarea: textarea, list: list, start: start, options: options, index: -1 };
    list.hidden = options.length === 0;
    textarea.setAttribute('aria-expanded', options.length > 0 ? 'true' : 'false');
    if (source) announcer().textContent = source.getAttribute('data-announce') || '';
    if (options.length > 0) highlight(0);
  }

  function lookUp(textarea) {
    var caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) return close();
    var match = TOKEN.exec(textarea.value.slice(Math.max(0, caret - 100), caret));
    if (!match || match[2].trim().length < MIN_LENGTH) return close();
    var query = match[2];
    var start = caret - query.length - 1;
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (pending) pending.abort();
      var controller = new AbortController();
      pending = controller;
      fetch('/people/suggest?q=' + encodeURIComponent(query), { headers: { Accept: 'text/html' }, signal: controller.signal, credentials: 'same-origin' })
        .then(function (response) { return response.ok ? response.text() : ''; })
        .then(function (html) {
          if (pending !== controller || document.activeElement !== textarea) return;
          pending = null;
          show(textarea, start, html);
        })
        .catch(function () { /* Aborted, or offline: typing goes on without suggestions. */ });
    }, DELAY_MS);
  }

  var isMentionArea = function (element) {
    return element instanceof HTMLTextAreaElement && element.hasAttribute('data-mentions');
  };

  document.addEventListener('input', function (event) {
    if (isMentionArea(event.target)) lookUp(event.target);
  });

  document.addEventListener('keydown', function (event) {
    if (!state || event.target !== state.textarea || state.list.hidden) return;
    var count = state.options.length;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      highlight((state.index + 1) % count);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      highlight((state.index - 1 + count) % count);
    } else if ((event.key === 'Enter' || event.key === 'Tab') && state.index >= 0 && !event.shiftKey) {
      event.preventDefault();
      choose(state.index);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });

  document.addEventListener('focusout', function (event) {
    if (state && event.target === state.textarea) close();
  });

  // Moving the caret elsewhere (a click, Home, End) ends the suggestion.
  document.addEventListener('click', function (event) {
    if (state && event.target === state.textarea) lookUp(state.textarea);
  });
})();
