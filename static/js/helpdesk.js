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

// A dialog an htmx response brings (data-helpdesk-dialog: the questionnaire asked before a case
// closes) opens as a Bootstrap modal. A re-render with errors replaces only its content, so an
// open dialog is left as it is. Closed, it is removed, so its fields never ride along with a
// later submit of the form it sits in.
document.addEventListener("htmx:afterSettle", () => {
  document.querySelectorAll("[data-helpdesk-dialog]:not([data-dialog-opened])").forEach((element) => {
    element.setAttribute("data-dialog-opened", "");
    element.addEventListener("hidden.bs.modal", () => element.remove(), { once: true });
    element.addEventListener(
      "shown.bs.modal",
      () => {
        const first = element.querySelector(".is-invalid, input:not([type=hidden]), select, textarea");
        if (first) first.focus();
      },
      { once: true },
    );
    window.bootstrap.Modal.getOrCreateInstance(element).show();
  });
});

// After a re-render with errors inside an open dialog, the button that was pressed is gone: put
// the keyboard on the first answer to correct.
document.addEventListener("htmx:afterSettle", () => {
  const dialog = document.querySelector("[data-helpdesk-dialog].show");
  const invalid = dialog && dialog.querySelector(".is-invalid");
  if (invalid && !dialog.contains(document.activeElement)) invalid.focus();
});

// A rating link of the satisfaction survey mail opens its page with that mark chosen
// (data-auto-submit): the form sends itself, so one click in the mail records the answer, while
// the link alone (a mail scanner fetching it) records nothing. Without JavaScript the customer
// presses the form's button. htmx's script runs before this one, so its own DOMContentLoaded
// handler has taken the form by then and the answer comes back into the same card.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-auto-submit]").forEach((form) => {
    form.removeAttribute("data-auto-submit");
    form.requestSubmit();
  });
});

// A mail's HTML sits in a sandboxed frame (no script runs in it) of a fixed height: once loaded,
// the frame takes its document's height, so the mail reads as part of the thread. The frame is
// same-origin (sandbox allow-same-origin) for exactly this; without this script it scrolls.
const fitMailFrame = (frame) => {
  try {
    const root = frame.contentDocument && frame.contentDocument.documentElement;
    if (root) frame.style.height = `${root.scrollHeight + 2}px`;
  } catch {
    // A frame that is not (yet) readable keeps its default height.
  }
};
document.addEventListener(
  "load",
  (event) => {
    if (event.target instanceof HTMLIFrameElement && event.target.matches(".message-html-frame")) {
      fitMailFrame(event.target);
    }
  },
  true,
);
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("iframe.message-html-frame").forEach((frame) => {
    if (frame.contentDocument && frame.contentDocument.readyState === "complete") fitMailFrame(frame);
  });
});

// The canned-response picker inside the reply box (responses/reply_picker.html). Enter in its
// search field searches (htmx swaps only the list) instead of submitting the reply form; without
// htmx loaded it is left alone, and the form's first button, the picker's Search, takes it.
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || event.isComposing || !window.htmx) return;
  if (!(field instanceof HTMLInputElement) || !field.matches("[data-picker-search]")) return;
  event.preventDefault();
  window.htmx.trigger(field, "picker-search");
});

// A response goes in where the cursor stood in the reply box, once the tech has been in it;
// before that it is appended. The box swapped back carries where the cursor goes next.
document.addEventListener("focusin", (event) => {
  if (event.target instanceof HTMLTextAreaElement && event.target.id === "id_body") {
    event.target.setAttribute("data-caret-known", "");
  }
});
document.addEventListener("htmx:configRequest", (event) => {
  if (!(event.detail.elt instanceof Element) || !event.detail.elt.matches("[data-canned-insert]")) return;
  const box = document.getElementById("id_body");
  if (box && box.hasAttribute("data-caret-known")) {
    event.detail.parameters.caret = String(box.selectionEnd);
  }
});
// (On swap, not settle: a key pressed in between would otherwise still reach the button.)
document.addEventListener("htmx:afterSwap", () => {
  const box = document.querySelector("#id_body[data-caret]");
  if (!box) return;
  const caret = Number(box.getAttribute("data-caret"));
  box.removeAttribute("data-caret");
  box.focus();
  box.setSelectionRange(caret, caret);
});
