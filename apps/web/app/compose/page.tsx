'use client';
import { useState } from 'react';
import { LazyYamlEditor } from '../../src/editor/LazyYamlEditor';

export default function ComposePage() {
  const [text, setText] = useState('kernel:\n  image: linuxkit/kernel:6.6\n');
  return <div className="h-screen"><LazyYamlEditor value={text} onChange={setText} problems={[]} dark={false} /></div>;
}
