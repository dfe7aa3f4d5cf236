#!/usr/bin/python3
"""Writes the PyTorch checkpoint and safetensors test files of @longshort/tensor's io layer.

Run with Debian's torch (apt-get install python3-torch; torch 1.13):
    /usr/bin/python3 tools/test-data/make-torch-checkpoints.py
Each <name>.pt gets a <name>.json of the values torch itself reads back: {key: {dtype, shape,
values}}, keys being dotted paths through dicts and lists, values flattened row-major (NaN and
infinities as the strings "NaN", "Infinity", "-Infinity"; booleans as 0/1).
"""

import argparse
import collections
import io
import json
import math
import os
import struct
import zipfile
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[2] / 'packages' / 'tensor' / 'test-data'
TORCH_DIR = ROOT / 'torch'
SAFETENSORS_DIR = ROOT / 'safetensors'
# The file the unsafe payloads below would create if anything executed them.
PWNED_MARKER = '/tmp/longshort-pickle-pwned'

FILE_DTYPES = {
    torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16',
    torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8',
    torch.uint8: 'U8', torch.bool: 'BOOL',
}


def json_number(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and math.isnan(value):
        return 'NaN'
    if isinstance(value, float) and math.isinf(value):
        return 'Infinity' if value > 0 else '-Infinity'
    return value


def expected_tensor(tensor):
    values = tensor.float() if tensor.dtype in (torch.float16, torch.bfloat16) else tensor
    return {
        'dtype': FILE_DTYPES[tensor.dtype],
        'shape': list(tensor.shape),
        'values': [json_number(v) for v in values.reshape(-1).tolist()],
    }


def flatten(value, path, out):
    """Dotted paths to tensors, walking dicts and lists as the TypeScript flattenStateDict does."""
    if isinstance(value, torch.Tensor):
        out[path] = expected_tensor(value)
    elif isinstance(value, dict):
        for key, child in value.items():
            flatten(child, f'{path}.{key}' if path else str(key), out)
    elif isinstance(value, (list, tuple)):
        for index, child in enumerate(value):
            flatten(child, f'{path}.{index}' if path else str(index), out)
    return out


def save(name, obj, **kwargs):
    path = TORCH_DIR / f'{name}.pt'
    torch.save(obj, path, **kwargs)
    # The expectations come from what torch reads back, not from the objects saved.
    loaded = torch.load(path) if name != 'evil' else obj
    write_json(TORCH_DIR / f'{name}.json', flatten(loaded, '', {}))
    assert path.stat().st_size < 50_000, f'{path} is too large for the repository'


def write_json(path, data):
    lines = [f'  {json.dumps(key)}: {json.dumps(value)}' for key, value in data.items()]
    path.write_text('{\n' + ',\n'.join(lines) + '\n}\n')


def sequential_state_dict():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.LayerNorm(3))
    with torch.no_grad():
        model[1].weight.uniform_(0.5, 1.5)
        model[1].bias.uniform_(-0.5, 0.5)
    return model.state_dict()


def fairseq_like():
    torch.manual_seed(1)
    embed = torch.randn(6, 4)
    model = collections.OrderedDict([
        ('encoder.embed_tokens.weight', embed),
        ('encoder.layers.0.fc1.weight', torch.randn(8, 4)),
        ('encoder.layers.0.fc1.bias', torch.randn(8)),
        ('decoder.output_projection.weight', embed),  # tied: the same tensor twice
    ])
    return {
        'args': argparse.Namespace(arch='transformer_ls', lr=[0.0005], dropout=0.1, max_tokens=4096, fp16=False),
        'model': model,
        'extra': np.float64(1.5),
        'optimizer_history': [{
            'criterion_name': 'CrossEntropyCriterion', 'optimizer_name': 'Adam',
            'lr_scheduler_state': {'best': 2.5}, 'num_updates': 100,
        }],
        'last_optimizer_state': {
            'state': {0: {'step': 10, 'exp_avg': torch.full((6, 4), 0.25)}},
            'param_groups': [{'lr': 0.001, 'betas': (0.9, 0.98), 'params': [0]}],
        },
    }


def views():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    return {
        'base': base,
        'rows': base[1:3],            # a view with a storage offset
        'row2': base[2],
        'transposed': base.t(),       # non-contiguous
        'strided': base[:, ::2],
        'column': base[:, 1],
        'expanded': torch.arange(3.0).expand(2, 3),  # stride 0
        'other': torch.ones(2, 2, dtype=torch.float64),
    }


def dtypes():
    return {
        'f16': torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6e-8, 1 / 3, math.inf, -math.inf, math.nan], dtype=torch.float16),
        'bf16': torch.tensor([1.0, -2.5, 3.14159, 1e30, -1e-30, 1 / 3, math.inf, math.nan], dtype=torch.bfloat16),
        'f64': torch.tensor([[1 / 3, -0.0], [1e-300, 2.5]], dtype=torch.float64),
        'f32': torch.tensor([1.5, -3.25, 1e-40], dtype=torch.float32),
        'i64': torch.tensor([-5, 0, 2**31 - 1, -2**31], dtype=torch.int64),
        'i64_big': torch.tensor([2**40], dtype=torch.int64),
        'i32': torch.tensor([[-7, 8], [2**31 - 1, -2**31]], dtype=torch.int32),
        'i16': torch.tensor([-32768, 32767, 5], dtype=torch.int16),
        'i8': torch.tensor([-128, 127, -1], dtype=torch.int8),
        'u8': torch.tensor([0, 255, 17], dtype=torch.uint8),
        'bool': torch.tensor([True, False, True]),
        'half_matrix_t': torch.arange(6, dtype=torch.float16).reshape(2, 3).t(),
    }


def edge_cases():
    return {
        'scalar': torch.tensor(3.5),
        'scalar_int': torch.tensor(7),
        'empty': torch.zeros(0, 5),
        'empty_view': torch.arange(10.0)[5:5],
        'ones': torch.ones(1, 1, 1),
        'parameter': nn.Parameter(torch.tensor([2.0, 4.0])),
    }


def nested_module_prefix():
    torch.manual_seed(2)
    return {
        'state_dict': collections.OrderedDict([
            ('module.encoder.weight', torch.randn(3, 2)),
            ('module.encoder.bias', torch.randn(3)),
            ('module.head.weight', torch.randn(1, 3)),
        ]),
        'epoch': 3,
        'meta': {'name': 'nested', 'tags': ['a', 'b'], 'raw': b'\x00\xff', 'ids': {1, 2}, 'tuple': (1, 2.5, None, True)},
    }


class SystemCall:
    """Unpickles, in Python, as os.system(...): the reader must keep it inert."""

    def __reduce__(self):
        return (os.system, (f'touch {PWNED_MARKER}',))


class EvalCall:
    def __reduce__(self):
        return (eval, (f"__import__('os').system('touch {PWNED_MARKER}')",))


def rezip(source, target, prefix, extra=None):
    """Copies a checkpoint into a deflate-compressed zip whose top folder is `prefix`, adding the
    `extra` records ({name: bytes})."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, 'w', zipfile.ZIP_DEFLATED) as dst:
        records = [(info.filename.split('/', 1)[1], src.read(info)) for info in src.infolist()]
        for name, data in records + list((extra or {}).items()):
            # A fixed timestamp keeps the output reproducible.
            dst.writestr(zipfile.ZipInfo(prefix + name, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def write_safetensors(path, tensors, metadata):
    """A hand-written safetensors writer: u64 header length, space-padded JSON header, data."""
    header, blobs, offset = {'__metadata__': metadata}, [], 0
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    path.write_bytes(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def safetensors_mixed():
    arrays = {
        'f64': np.array([[0.1, -2.0], [1e300, -0.0]], dtype='<f8'),
        'f32': np.array([1.0, -1.5, 3.4e38], dtype='<f4'),
        'f16': np.array([0.5, -65504.0, 6e-8, np.inf], dtype='<f2'),
        'i64': np.array([-(2**31), 2**31 - 1, 12], dtype='<i8'),
        'i32': np.array([[1, -2, 3]], dtype='<i4'),
        'i16': np.array([-300, 300], dtype='<i2'),
        'i8': np.array([-1, 1], dtype='i1'),
        'u8': np.array([0, 200], dtype='u1'),
        'bool': np.array([True, False], dtype='?'),
        'u16': np.array([0, 65535], dtype='<u2'),
        'u32': np.array([7, 2**31 - 1], dtype='<u4'),
        'u64': np.array([0, 2**31 - 1], dtype='<u8'),
        'empty': np.zeros((0, 3), dtype='<f4'),
        'scalar': np.array(2.25, dtype='<f4'),
    }
    dtype_names = {'f8': 'F64', 'f4': 'F32', 'f2': 'F16', 'i8': 'I64', 'i4': 'I32', 'i2': 'I16', 'i1': 'I8',
                   'u1': 'U8', 'b1': 'BOOL', 'u2': 'U16', 'u4': 'U32', 'u8': 'U64'}
    tensors = {name: (dtype_names[a.dtype.str[1:]], list(a.shape), a.tobytes()) for name, a in arrays.items()}
    bf16 = torch.tensor([1.0, -0.5, 1e-20], dtype=torch.bfloat16)
    tensors['bf16'] = ('BF16', [3], bf16.view(torch.int16).numpy().astype('<i2').tobytes())
    expected = {name: {'dtype': tensors[name][0], 'shape': list(a.shape), 'values': [json_number(v) for v in a.reshape(-1).tolist()]}
                for name, a in arrays.items()}
    expected['bf16'] = expected_tensor(bf16)
    write_safetensors(SAFETENSORS_DIR / 'mixed.safetensors', tensors, {'format': 'pt', 'source': 'make-torch-checkpoints.py'})
    write_json(SAFETENSORS_DIR / 'mixed.json', expected)


def main():
    TORCH_DIR.mkdir(parents=True, exist_ok=True)
    SAFETENSORS_DIR.mkdir(parents=True, exist_ok=True)
    save('sequential', sequential_state_dict())
    save('fairseq', fairseq_like())
    save('views', views())
    save('dtypes', dtypes())
    save('edge-cases', edge_cases())
    save('nested', nested_module_prefix())
    save('evil', {'weight': torch.ones(2), 'system': SystemCall(), 'eval': EvalCall()})
    save('legacy-views', views(), _use_new_zipfile_serialization=False)
    rezip(TORCH_DIR / 'dtypes.pt', TORCH_DIR / 'dtypes-deflated.pt', 'dtypes-deflated/')
    write_json(TORCH_DIR / 'dtypes-deflated.json', flatten(torch.load(TORCH_DIR / 'dtypes-deflated.pt'), '', {}))
    # torch >= 2.1 records the byte order; a big-endian one is rejected rather than misread.
    rezip(TORCH_DIR / 'sequential.pt', TORCH_DIR / 'big-endian.pt', 'big-endian/', {'byteorder': b'big'})
    safetensors_mixed()


if __name__ == '__main__':
    main()
