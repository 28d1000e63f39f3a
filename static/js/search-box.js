// The header's search box, from the keyboard: Down arrow from the box goes to the first suggestion,
// Up and Down move between suggestions (Up from the first goes back to the box), Escape closes them and
// goes back to the box; leaving the box for somewhere else on the page closes them too. Without this
// file (or without JavaScript) Tab and Shift+Tab still go from the box to the suggestions and back.
// Listeners are on the document: suggestions swapped in by htmx need no binding. No inline script (CSP).
(function () {
  'use strict';

  function parts(element) {
    var form = element && element.closest ? element.closest('form.site-search') : null;
    if (!form) return null;
    var input = form.querySelector('input[name="q"]');
    var box = form.querySelector('.site-search__suggestions');
    if (!input || !box) return null;
    return { form: form, input: input, box: box, links: Array.prototype.slice.call(box.querySelectorAll('a[href]')) };
  }

  function close(p) {
    p.box.innerHTML = '';
    var status = p.form.querySelector('[aria-live]');
    if (status) status.textContent = '';
  }

  document.addEventListener('keydown', function (event) {
    var p = parts(event.target);
    if (!p) return;
    var index = p.links.indexOf(event.target);
    if (event.key === 'Escape') {
      if (p.box.innerHTML === '') return;
      event.preventDefault();
      close(p);
      p.input.focus();
    } else if (event.key === 'ArrowDown' && p.links.length > 0) {
      if (event.target !== p.input && index < 0) return;
      event.preventDefault();
      p.links[Math.min(index + 1, p.links.length - 1)].focus();
    } else if (event.key === 'ArrowUp' && index >= 0) {
      event.preventDefault();
      if (index === 0) p.input.focus();
      else p.links[index - 1].focus();
    }
  });

  // Tabbing out of the box and its suggestions, or a click elsewhere, closes them (a click on a
  // suggestion is inside the form: it is followed, not lost).
  document.addEventListener('focusout', function (event) {
    var p = parts(event.target);
    if (!p || !event.relatedTarget || p.form.contains(event.relatedTarget)) return;
    close(p);
  });
  document.addEventListener('click', function (event) {
    document.querySelectorAll('form.site-search').forEach(function (form) {
      if (form.contains(event.target)) return;
      var p = parts(form);
      if (p && p.box.innerHTML !== '') close(p);
    });
  });
})();
