// Root layout: fonts from the local `geist` package (no network), theme before paint, nav, and
// the health banner (shown only while a worker keeps crashing).
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { GeistSans } from 'geist/font/sans';
import { GeistMono } from 'geist/font/mono';
import { AppNav } from '../src/ui/AppNav';
import { HealthBanner } from '../src/ui/HealthBanner';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'oscompose', template: '%s · oscompose' },
  description: 'Compose, build and boot LinuxKit-style operating systems',
};

// Runs before first paint so a dark-mode user never sees a white flash.
const themeScript = `try{var t=localStorage.getItem('theme');if(t==='dark'||(!t&&matchMedia('(prefers-color-scheme: dark)').matches))document.documentElement.classList.add('dark')}catch(e){}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`} suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="flex min-h-screen flex-col antialiased">
        <AppNav />
        <HealthBanner />
        <div className="flex min-h-0 flex-1 flex-col">{children}</div>
      </body>
    </html>
  );
}
