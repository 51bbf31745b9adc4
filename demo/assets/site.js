/* Acme CRM demo site: form + checkout + SPA wiring for the Cairn SDK. Never throws into the page. */
(function () {
  'use strict';
  var PLANS = { starter: ['Starter', 29], growth: ['Growth', 99], scale: ['Scale', 299] };

  function cairn() {
    try { if (typeof window.cairn === 'function') window.cairn.apply(null, arguments); } catch (e) { /* never break the page */ }
  }
  function $(id) { return document.getElementById(id); }
  function val(id) { var el = $(id); return el ? String(el.value).trim() : ''; }
  function text(id, s) { var el = $(id); if (el) el.textContent = s; }
  function param(name) {
    try { return new URLSearchParams(location.search).get(name); } catch (e) { return null; }
  }

  // Signup: identify by email, track the signup, then go to /thanks.
  var signup = $('signup-form');
  if (signup) signup.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var email = val('email'), raw = val('budget'), budget = Number(raw);
    var traits = { email: email, name: val('name'), company: val('company') };
    var props = { plan: 'trial' };
    if (raw !== '' && isFinite(budget)) { traits.budget = budget; props.budget = budget; }
    cairn('identify', email, traits);
    cairn('track', 'Signed Up', props);
    location.href = '/thanks';
  });

  // Checkout: plan from ?plan= (whitelisted, rendered with textContent only).
  var pay = $('pay');
  if (pay) {
    var key = String(param('plan') || '').toLowerCase();
    if (!Object.prototype.hasOwnProperty.call(PLANS, key)) key = 'growth';
    var plan = PLANS[key];
    text('plan-name', plan[0]);
    text('plan-price', '$' + plan[1]);
    text('pay-amount', '$' + plan[1]);
    cairn('track', 'Checkout Started', { plan: key });
    pay.addEventListener('click', function () {
      pay.disabled = true;
      cairn('track', 'Purchased', { plan: key, revenue: plan[1] });
      location.href = '/thanks?purchase=1';
    });
  }

  // Thanks: different copy after a purchase.
  if ($('thanks-title') && param('purchase') === '1') {
    text('thanks-title', 'Payment received. Welcome to Acme CRM!');
    text('thanks-text', 'Your receipt is on its way to your inbox. Your workspace is ready.');
  }

  // Book a demo: identify by email, track, confirm inline.
  var demo = $('demo-form');
  if (demo) demo.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var email = val('demo-email');
    cairn('identify', email, { email: email });
    cairn('track', 'Demo Requested', { source: 'demo-page' });
    text('demo-status', 'Thanks! We will email ' + email + ' within one business day.');
    demo.reset();
  });

  // SPA: pushState navigation without reloads (the SDK records page views on history changes).
  var VIEWS = {
    '/spa/a': ['View A', 'Deals closing this week: 7.'],
    '/spa/b': ['View B', 'Tasks due today: 3.']
  };
  function render() {
    var v = VIEWS[location.pathname] || ['Home view', 'Pick a view above.'];
    text('spa-title', v[0]);
    text('spa-text', v[1]);
  }
  function go(path) { return function () { history.pushState({}, '', path); render(); }; }
  if ($('nav-a')) {
    $('nav-a').addEventListener('click', go('/spa/a'));
    $('nav-b').addEventListener('click', go('/spa/b'));
    window.addEventListener('popstate', render);
    render();
  }
})();
