// Runs first, as a classic script in the oldest JavaScript there is (ES5),
// on browsers too old for the page (below Chromium 80 / Safari 13.4, or no
// modules at all): instead of a blank or broken page, it says so in words a
// member understands, and tells the secretary's console which member could
// not join and in which browser. Once the page's modules run, it stands down.
(function () {
  var started = false;
  var shown = false;
  window.musterStarted = function () { started = true; };

  function token() {
    var match = /(?:^|&)t=([^&]+)/.exec(location.hash.slice(1));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function report() {
    var t = token();
    if (!t || !window.WebSocket || !window.JSON) return;
    try {
      var socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
      socket.onopen = function () {
        socket.send(JSON.stringify({ type: 'unsupported', token: t, browser: String(navigator.userAgent).slice(0, 200) }));
      };
    } catch (e) { /* nothing more can be done from here */ }
  }

  function tooOld() {
    if (started || shown) return;
    shown = true;
    var app = document.getElementById('app');
    if (!app) return;
    app.innerHTML =
      '<div class="card too-old" data-testid="too-old">' +
      '<h2>您的浏览器版本太旧，无法参加会议</h2>' +
      '<p>请先更新微信（或手机自带的浏览器），再打开书记发给您的链接；也可以换一部手机打开。' +
      '如果仍然不行，请联系书记，书记已经收到提醒。</p>' +
      '<p class="small muted" lang="en">This browser is too old for the meeting page. Update WeChat or the phone\'s browser, ' +
      'or open the link on another phone; your secretary has been told.</p></div>';
    report();
  }

  var modules = 'noModule' in document.createElement('script');
  if (!modules) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', tooOld);
    else tooOld();
    return;
  }
  // A module the browser cannot parse or load, or one that throws before the page runs.
  window.addEventListener('error', function () {
    if (!started) tooOld();
  }, true);
})();
