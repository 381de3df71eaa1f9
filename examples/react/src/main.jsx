import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "@tollgate/react/styles.css";
import "./app.css";
import { App } from "./App.jsx";

// Where Tollgate is and who is signed in come from the app's backend, as a real app would know them.
const config = await fetch("/api/config" + window.location.search, { signal: AbortSignal.timeout(10_000) }).then((r) => r.json());
createRoot(document.getElementById("root")).render(<StrictMode><App config={config} /></StrictMode>);
