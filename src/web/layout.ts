/** The page frame: header with the person's name and "Đăng xuất", the content, Vietnamese first. No script anywhere. */
import { html } from "hono/html";
import { currentLanguage, t } from "../i18n.js";
import type { Viewer } from "./context.js";

/** Escaped HTML as the templates return it. */
export type Html = ReturnType<typeof html>;

/** A whole page. */
export function page(title: string, body: Html, viewer: Viewer | null, opts: { admin?: boolean } = {}): Html {
  return html`<!doctype html>
<html lang="${currentLanguage()}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t("web:app_name")}</title>
<link rel="stylesheet" href="/web/static/style.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/web">${t("web:app_name")}</a>
  ${viewer
    ? html`<nav>
        ${opts.admin ? html`<a href="/web/quantri">${t("web:nav.admin")}</a>` : ""}
        <span class="who">${viewer.displayName}</span>
        <form method="post" action="/web/dangxuat" class="inline">
          <input type="hidden" name="_csrf" value="${viewer.session.csrfToken}">
          <button type="submit">${t("web:nav.sign_out")}</button>
        </form>
      </nav>`
    : ""}
</header>
<main>
${body}
</main>
</body>
</html>`;
}

/** A page with a heading and one message (refusals, expired links, errors). */
export function messagePage(title: string, message: string, viewer: Viewer | null): Html {
  return page(title, html`<h1>${title}</h1><p class="message">${message}</p><p><a href="/web">${t("web:nav.home")}</a></p>`, viewer);
}

/** The hidden CSRF field every form carries. */
export function csrfField(viewer: Viewer): Html {
  return html`<input type="hidden" name="_csrf" value="${viewer.session.csrfToken}">`;
}
