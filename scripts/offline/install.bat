@echo off
rem qdplan @VERSION@ offline installer (Windows x64): finds a 64-bit Python and runs install.py.
chcp 65001 >nul
setlocal
if not exist "%~dp0wheels\" goto notextracted
set "PY="
for %%v in (@PY_CANDIDATES_BAT@) do if not defined PY py -%%v-64 -c "import sys" >nul 2>&1 && set "PY=py -%%v-64"
if not defined PY python -c "import sys, struct; sys.exit(0 if '%%d.%%d' %% sys.version_info[:2] in '@PYTHONS_ASCII@'.split() and struct.calcsize('P') == 8 else 1)" >nul 2>&1 && set "PY=python"
if not defined PY goto nopython
%PY% "%~dp0install.py" %*
set "RC=%ERRORLEVEL%"
echo.
pause
exit /b %RC%

:notextracted
echo 错误：找不到 wheels 文件夹。请先把压缩包整个解压（右键“全部解压缩”），再运行解压出的 install.bat。
pause
exit /b 1

:nopython
echo 错误：没有找到 64 位的 Python @PYTHONS@。
echo 请先安装其中一个版本（安装时勾选 “Add python.exe to PATH”），再双击 install.bat。
pause
exit /b 1
