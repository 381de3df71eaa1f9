"use client";
import { useTollgate } from "@tollgate/react";

/** The gated feature. Its server route counts the CV (consume or withQuota); refresh() then moves the meter at once. */
export function CvBuilder() {
  const { refresh } = useTollgate();
  const generate = async () => {
    await fetch("/api/cv", { method: "POST" });
    await refresh();
  };
  return <button type="button" onClick={generate}>Generate a CV</button>;
}
