"""Recording scopes: functions, methods, lambdas and classes, each walked in a fresh context."""

from __future__ import annotations

import ast
from typing import List, Optional

from .expressions import ExpressionWalker
from .model import CacheSite, ClassInfo, FuncInfo
from .syntax import CACHE_DECORATORS, CTOR_METHODS, DEFINITION_TIME, META_BASES, PLAIN_REMOVALS, is_none


class ScopeWalker(ExpressionWalker):
    """Handlers for definitions; ``Walker`` adds the other statements."""

    def _function(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        saved = self.ctx
        self.ctx = saved.at(node)
        outer = self.ctx.func
        cls = self.ctx.class_body
        decorator_names: List[str] = []
        for dec in node.decorator_list:
            self.visit(dec)
            target = dec.func if isinstance(dec, ast.Call) else dec
            qn = self.names.qualname(target, self._local_names()) or ""
            short = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            decorator_names.append(short)
            if qn in CACHE_DECORATORS:
                self.caches.append(self._cache_site(dec, qn, node, cls))
        for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            self.visit(default)
        if outer is not None:
            outer.locals.add(node.name)
        func = FuncInfo(node, node.name, outer if cls is None else self.ctx.class_parent)
        func.decorators = tuple(decorator_names)
        args = node.args
        positional = [a.arg for a in args.posonlyargs + args.args]
        func.params = set(positional + [a.arg for a in args.kwonlyargs])
        if args.vararg:
            func.params.add(args.vararg.arg)
        if args.kwarg:
            func.params.add(args.kwarg.arg)
        func.locals |= func.params
        if cls is not None:
            func.is_method = True
            func.cls = cls
            cls.methods.setdefault(node.name, func)
            if "staticmethod" not in decorator_names and positional:
                func.self_name = positional[0]
            func.is_ctor = node.name in CTOR_METHODS
            func.definition_time = node.name in DEFINITION_TIME or cls.is_meta
        elif outer is not None:
            func.cls = outer.cls
            func.definition_time = outer.definition_time
            if outer.self_name and outer.self_name not in func.params:
                func.self_name = outer.self_name
        self.functions.append(func)
        self._enter_body(func, node.body)
        self.ctx = saved

    def _enter_body(self, func: FuncInfo, body: List[ast.stmt]) -> None:
        saved = self.ctx
        # loops, guards and the names a loop outside binds mean nothing in the new scope (a
        # name bound outside is a parameter or a later value here)
        self.ctx = saved._replace(func=func, class_body=None, loops=(), nested=0, guards=(),
                                  loop_depth=0, fixed_names=frozenset())
        for stmt in body:
            self.visit(stmt)
        self._finish_function(func)
        self.ctx = saved

    def _lambda(self, node: ast.Lambda) -> None:
        outer = self.ctx.func
        func = FuncInfo(node, "<lambda>", outer if self.ctx.class_body is None else self.ctx.class_parent)
        func.kind = "lambda"
        args = node.args
        func.params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        func.locals |= func.params
        if outer is not None:
            func.cls = outer.cls
            if outer.self_name and outer.self_name not in func.params:
                func.self_name = outer.self_name
        # lambda f, waiters=self.waiters: waiters.remove(f) -- a removal through a default alias
        positional = args.posonlyargs + args.args
        aliases = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]],
                           args.defaults))
        if aliases:
            for sub in ast.walk(node.body):
                if isinstance(sub, ast.Attribute) and sub.attr in PLAIN_REMOVALS \
                        and isinstance(sub.value, ast.Name) and sub.value.id in aliases:
                    target = aliases[sub.value.id]
                    if isinstance(target, ast.Attribute):
                        self._record(self._event("attr", sub.attr, sub), target)
        saved = self.ctx
        self.ctx = saved._replace(func=func, class_body=None, loops=(), nested=1)
        self.visit(node.body)
        self._finish_function(func)
        self.ctx = saved

    def _cache_site(self, dec: ast.expr, qn: str, node: ast.AST, cls: Optional[ClassInfo]) -> CacheSite:
        unbounded = qn == "functools.cache"
        if isinstance(dec, ast.Call) and qn == "functools.lru_cache":
            size: Optional[ast.AST] = ast.Constant(128)
            if dec.args:
                size = dec.args[0]
            for kw in dec.keywords:
                if kw.arg == "maxsize":
                    size = kw.value
            unbounded = is_none(size)
        decorators = {getattr(d, "id", getattr(d, "attr", "")) for d in getattr(node, "decorator_list", [])}
        on_instance = cls is not None and not ({"staticmethod", "classmethod"} & decorators)
        return CacheSite(dec, node, qn, unbounded, on_instance, self.ctx.func is not None, cls)

    def _class(self, node: ast.ClassDef) -> None:
        for dec in node.decorator_list:
            self.visit(dec)
        for base in node.bases:
            self.visit(base)
        for kw in node.keywords:
            self.visit(kw.value)
        qual = ".".join(self.ctx.class_path + (node.name,))
        info = ClassInfo(node, qual)
        for base in node.bases:
            qn = self.names.qualname(base) or ""
            info.base_qualnames.append(qn)
            if isinstance(base, ast.Name):
                info.bases.append(base.id)
            elif isinstance(base, ast.Attribute):
                info.bases.append(base.attr)
        info.is_meta = any(qn in META_BASES for qn in info.base_qualnames) or any(
            b in self.classes and self.classes[b].is_meta for b in info.bases)
        self.classes[qual] = info
        if self.ctx.func is None and self.ctx.class_body is None:
            self.top_classes[node.name] = info
        if self.ctx.func is not None:
            self.ctx.func.locals.add(node.name)
        saved = self.ctx
        parent = saved.func if saved.func is not None else saved.class_parent
        self.ctx = saved._replace(class_parent=parent, class_body=info, func=None, loops=(),
                                  nested=0, guards=(), class_path=saved.class_path + (node.name,))
        for stmt in node.body:
            self.visit(stmt)
        self.ctx = saved
