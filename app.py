"""Backprop Explainer: the router and the shared sidebar.

The sidebar widgets are created here, before the page runs, so they exist on every page and keep
their values when the page changes. Page files live in ``app_pages/`` (not ``pages/``; see
docs/architecture.md).
"""

from pathlib import Path

import streamlit as st


ROOT = Path(__file__).resolve().parent


def main():
    # Imported here, not at the top: the training worker re-reads this file (see the end) and must
    # not import the pages' modules, whose caches log warnings outside a Streamlit server.
    from ui.draw import browser, classroom, layout
    from ui.draw import page as page_shape
    from ui.serve import internals, tuning, uploads, worker
    from ui.state import sidebar

    # Before st.navigation: otherwise the browser takes the page's Material icon as the tab's icon
    # and fetches it from fonts.gstatic.com. A local image instead. A projected lecture starts with
    # the sidebar closed: the settings stay one click away (and in the URL).
    st.set_page_config(page_icon=str(ROOT / "assets" / "icon.png"), layout="wide",
                       initial_sidebar_state=layout.sidebar_state(st.query_params))
    tuning.apply()
    internals.write_whole_numbers_plainly()      # a preset writes "batch=5", not "batch=5.0"
    uploads.apply()
    worker.start()
    page = st.navigation(page_shape.pages(), position="sidebar", expanded=True)
    st.set_page_config(page_title=f"{page.title} · {page_shape.APP}")    # "Network · Backprop Explainer"
    settings = st.sidebar.container()        # above the Class section, filled once it says who this is
    member = classroom.sidebar()
    if member.following:        # the lecturer drives the settings: the link gives them, no widget
        current = sidebar.following(settings)
    else:
        current = sidebar.sidebar(settings)
        if (refused := uploads.refused_for()) is not None:   # the session's upload bytes are at their cap
            settings.error(refused, icon=":material/error:")
    layout.apply_page_style(current.projector, member.code is not None)
    browser.page_helpers()
    classroom.banner(member, current.projector)
    page.run()
    classroom.lecturer_panel(member, page.url_path)


# Streamlit runs this file as "__main__". The training worker process re-reads it as "__mp_main__"
# (Python's "spawn" start method does that with every main module) and must not draw the app there.
# `streamlit run app.py` first imports it as "app" and, finding `app = st.App(...)`, serves that:
# the same app, with one piece of middleware that sends /network/extra (and any other address no
# page can answer) to the app's "no such page" (it would otherwise stay blank or open Streamlit's
# dialog: see ui/serve/addresses.py), and a lifespan that ends the training worker at shutdown.
if __name__ == "__main__":
    main()
elif __name__ != "__mp_main__":
    from starlette.middleware import Middleware

    from ui.serve import worker
    from ui.serve.addresses import AppAddresses
    from ui.serve.classes import actions, wait

    app = st.App(__file__, routes=wait.routes() + actions.routes(), middleware=[Middleware(AppAddresses)],
                 lifespan=worker.lifespan)
