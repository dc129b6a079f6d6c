// The helpdesk's own script, loaded on every page after htmx. Nothing here is needed for a page
// to work; the Content-Security-Policy forbids inline script, so behaviour lives in this file.

// A polling region (hx-trigger="every …" marked data-poll-when-visible) skips its request while
// the tab is hidden. htmx's trigger filter ([document.visibilityState === 'visible']) would do
// the same by evaluating the attribute as JavaScript, which the policy forbids.
document.addEventListener("htmx:beforeRequest", (event) => {
  const element = event.detail.elt;
  if (document.visibilityState !== "visible" && element.hasAttribute("data-poll-when-visible")) {
    event.preventDefault();
  }
});
