// Spoke's pages work without this script. With it, times show in the
// viewer's time zone, the "Log a message" and "Add a note" forms send the
// browser's offset from UTC so the time typed is read as local time, and
// the notice after an action can be dismissed.
(function () {
  'use strict';
  var zone = '';
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { /* old browser */ }
  var format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  var day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
  var hour = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

  // Instants: a meeting's end (data-after its start) on the start's day
  // shows its time only. Durations ("PT4M5S") are left as they are.
  document.querySelectorAll('time[datetime]').forEach(function (el) {
    var when = new Date(el.getAttribute('datetime'));
    if (isNaN(when.getTime())) { return; }
    el.title = el.textContent.trim();
    var after = new Date(el.getAttribute('data-after') || '');
    var sameDay = !isNaN(after.getTime()) && day.format(after) === day.format(when);
    el.textContent = (sameDay ? hour : format).format(when);
  });
  document.querySelectorAll('[data-tz-name]').forEach(function (el) {
    el.textContent = zone ? 'your time zone (' + zone + ')' : 'your time zone';
  });
  document.querySelectorAll('[data-tz-label]').forEach(function (el) {
    el.textContent = zone ? '(' + zone + ')' : '(your time zone)';
  });
  document.querySelectorAll('form.log-form').forEach(function (form) {
    form.addEventListener('submit', function () {
      var input = form.querySelector('input[type="datetime-local"]');
      var offset = form.querySelector('[data-tzoffset]');
      if (!input || !offset) { return; }
      var when = input.value ? new Date(input.value) : new Date();
      if (!isNaN(when.getTime())) { offset.value = String(-when.getTimezoneOffset()); }
    });
  });
  // The notice after an action stays in view while the page scrolls to
  // what changed; a button puts it away.
  document.querySelectorAll('.flash [data-dismiss]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      button.closest('.flash').remove();
      document.getElementById('main').focus({ preventScroll: true });
    });
  });
  var problem = document.querySelector('[data-form-error]');
  if (problem) {
    problem.setAttribute('tabindex', '-1');
    problem.focus();
  }
})();
