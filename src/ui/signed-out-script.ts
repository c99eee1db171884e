/**
 * The signed-out page's only script (served as `<basePath>/assets/signed-out.js`,
 * never inline): once the page and its front-channel logout iframes have
 * loaded, it follows the "return to the application" link; after a few
 * seconds it follows it anyway, so a slow client cannot hold the user.
 */
export const SIGNED_OUT_SCRIPT = `(function () {
  var link = document.querySelector('a[data-continue]');
  if (!link) return;
  var done = false;
  function go() { if (!done) { done = true; window.location.replace(link.href); } }
  if (document.readyState === 'complete') go();
  else window.addEventListener('load', go);
  setTimeout(go, 4000);
})();
`;
