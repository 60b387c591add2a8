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
      // The offset of the instant the browser reads the typed time as
      // from that time read as UTC: the zone's offset then, also in the
      // hour summer time skips, which the browser reads as the hour after.
      var typed = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(input.value);
      if (!typed) { offset.value = String(-new Date().getTimezoneOffset()); return; }
      var when = new Date(input.value);
      if (isNaN(when.getTime())) { return; }
      var asUTC = Date.UTC(+typed[1], +typed[2] - 1, +typed[3], +typed[4], +typed[5], +(typed[6] || 0));
      offset.value = String(Math.round((asUTC - when.getTime()) / 60000));
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
