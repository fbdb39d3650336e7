// Tailwind 4 through its PostCSS plugin (no CDN, no separate CLI).
export default { plugins: { '@tailwindcss/postcss': {} } };
