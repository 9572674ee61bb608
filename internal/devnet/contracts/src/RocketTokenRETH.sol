// SPDX-License-Identifier: GPL-3.0-only
pragma solidity ^0.8.24;

// Model of Rocket Pool's rETH (RocketTokenRETH, version 1,
// rocket-pool/rocketpool@fef41a4f contracts/contract/token/RocketTokenRETH.sol,
// unchanged from v1.3.1 to v1.4): ERC-20 "Rocket Pool ETH"/"rETH" with the
// OpenZeppelin 3.x revert strings of contracts/contract/util/ERC20.sol, the
// exchange-rate views (getEthValue, getRethValue, getExchangeRate,
// getTotalCollateral, getCollateralRate), mint and depositExcess for the
// deposit pool only, and burn: instant ETH out of this contract's balance
// topped up from the deposit pool's excess, paid with transfer() (the 2300
// gas stipend of the real contract), refused with "Insufficient ETH balance
// for exchange" when the collateral is short. Same events.
//
// Not modelled: the dead deposit-delay check of _beforeTokenTransfer
// (staking-systems.md §0.1) and depositExcessCollateral. There are no
// model-only entry points: the devnet oracle tops up collateral with plain
// ETH transfers to receive(), as minipools do.

interface RocketStorageForRETH {
    function getAddress(bytes32 _key) external view returns (address);
}

interface NetworkBalancesForRETH {
    function getTotalETHBalance() external view returns (uint256);
    function getTotalRETHSupply() external view returns (uint256);
}

interface DepositPoolForRETH {
    function getExcessBalance() external view returns (uint256);
    function withdrawExcessBalance(uint256 _amount) external;
}

contract RocketTokenRETH {
    uint256 internal constant calcBase = 1 ether;
    uint8 public version = 1;
    RocketStorageForRETH internal immutable rocketStorage;

    string private constant _name = "Rocket Pool ETH";
    string private constant _symbol = "rETH";
    mapping(address => uint256) private _balances;
    mapping(address => mapping(address => uint256)) private _allowances;
    uint256 private _totalSupply;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event EtherDeposited(address indexed from, uint256 amount, uint256 time);
    event TokensMinted(address indexed to, uint256 amount, uint256 ethAmount, uint256 time);
    event TokensBurned(address indexed from, uint256 amount, uint256 ethAmount, uint256 time);

    modifier onlyLatestContract(string memory _contractName, address _contractAddress) {
        require(_contractAddress == rocketStorage.getAddress(keccak256(abi.encodePacked("contract.address", _contractName))), "Invalid or outdated contract");
        _;
    }

    constructor(RocketStorageForRETH _rocketStorageAddress) {
        rocketStorage = _rocketStorageAddress;
    }

    receive() external payable {
        emit EtherDeposited(msg.sender, msg.value, block.timestamp);
    }

    function getContractAddress(string memory _contractName) internal view returns (address) {
        address contractAddress = rocketStorage.getAddress(keccak256(abi.encodePacked("contract.address", _contractName)));
        require(contractAddress != address(0x0), "Contract not found");
        return contractAddress;
    }

    // ERC-20 (OpenZeppelin 3.x as in Rocket Pool's util/ERC20.sol)

    // view, not pure: the ABI of OpenZeppelin's ERC20, which reads storage.
    function name() public view returns (string memory) { _totalSupply; return _name; }
    function symbol() public view returns (string memory) { _totalSupply; return _symbol; }
    function decimals() public view returns (uint8) { _totalSupply; return 18; }
    function totalSupply() public view returns (uint256) { return _totalSupply; }
    function balanceOf(address account) public view returns (uint256) { return _balances[account]; }
    function allowance(address owner, address spender) public view returns (uint256) { return _allowances[owner][spender]; }

    function transfer(address recipient, uint256 amount) public returns (bool) {
        _transfer(msg.sender, recipient, amount);
        return true;
    }

    function approve(address spender, uint256 amount) public returns (bool) {
        _approve(msg.sender, spender, amount);
        return true;
    }

    function transferFrom(address sender, address recipient, uint256 amount) public returns (bool) {
        _transfer(sender, recipient, amount);
        uint256 current = _allowances[sender][msg.sender];
        require(current >= amount, "ERC20: transfer amount exceeds allowance");
        _approve(sender, msg.sender, current - amount);
        return true;
    }

    function increaseAllowance(address spender, uint256 addedValue) public returns (bool) {
        _approve(msg.sender, spender, _allowances[msg.sender][spender] + addedValue);
        return true;
    }

    function decreaseAllowance(address spender, uint256 subtractedValue) public returns (bool) {
        uint256 current = _allowances[msg.sender][spender];
        require(current >= subtractedValue, "ERC20: decreased allowance below zero");
        _approve(msg.sender, spender, current - subtractedValue);
        return true;
    }

    function _transfer(address sender, address recipient, uint256 amount) internal {
        require(sender != address(0), "ERC20: transfer from the zero address");
        require(recipient != address(0), "ERC20: transfer to the zero address");
        require(_balances[sender] >= amount, "ERC20: transfer amount exceeds balance");
        _balances[sender] -= amount;
        _balances[recipient] += amount;
        emit Transfer(sender, recipient, amount);
    }

    function _mint(address account, uint256 amount) internal {
        require(account != address(0), "ERC20: mint to the zero address");
        _totalSupply += amount;
        _balances[account] += amount;
        emit Transfer(address(0), account, amount);
    }

    function _burn(address account, uint256 amount) internal {
        require(account != address(0), "ERC20: burn from the zero address");
        require(_balances[account] >= amount, "ERC20: burn amount exceeds balance");
        _balances[account] -= amount;
        _totalSupply -= amount;
        emit Transfer(account, address(0), amount);
    }

    function _approve(address owner, address spender, uint256 amount) internal {
        require(owner != address(0), "ERC20: approve from the zero address");
        require(spender != address(0), "ERC20: approve to the zero address");
        _allowances[owner][spender] = amount;
        emit Approval(owner, spender, amount);
    }

    // rETH

    function getEthValue(uint256 _rethAmount) public view returns (uint256) {
        NetworkBalancesForRETH balances = NetworkBalancesForRETH(getContractAddress("rocketNetworkBalances"));
        uint256 totalEthBalance = balances.getTotalETHBalance();
        uint256 rethSupply = balances.getTotalRETHSupply();
        if (rethSupply == 0) { return _rethAmount; }
        return _rethAmount * totalEthBalance / rethSupply;
    }

    function getRethValue(uint256 _ethAmount) public view returns (uint256) {
        NetworkBalancesForRETH balances = NetworkBalancesForRETH(getContractAddress("rocketNetworkBalances"));
        uint256 totalEthBalance = balances.getTotalETHBalance();
        uint256 rethSupply = balances.getTotalRETHSupply();
        if (rethSupply == 0) { return _ethAmount; }
        require(totalEthBalance > 0, "Cannot calculate rETH token amount while total network balance is zero");
        return _ethAmount * rethSupply / totalEthBalance;
    }

    function getExchangeRate() external view returns (uint256) {
        return getEthValue(1 ether);
    }

    function getTotalCollateral() public view returns (uint256) {
        DepositPoolForRETH pool = DepositPoolForRETH(getContractAddress("rocketDepositPool"));
        return pool.getExcessBalance() + address(this).balance;
    }

    function getCollateralRate() public view returns (uint256) {
        uint256 totalEthValue = getEthValue(totalSupply());
        if (totalEthValue == 0) { return calcBase; }
        return calcBase * address(this).balance / totalEthValue;
    }

    function depositExcess() external payable onlyLatestContract("rocketDepositPool", msg.sender) {
        emit EtherDeposited(msg.sender, msg.value, block.timestamp);
    }

    function mint(uint256 _ethAmount, address _to) external onlyLatestContract("rocketDepositPool", msg.sender) {
        uint256 rethAmount = getRethValue(_ethAmount);
        require(rethAmount > 0, "Invalid token mint amount");
        _mint(_to, rethAmount);
        emit TokensMinted(_to, rethAmount, _ethAmount, block.timestamp);
    }

    function burn(uint256 _rethAmount) external {
        require(_rethAmount > 0, "Invalid token burn amount");
        require(balanceOf(msg.sender) >= _rethAmount, "Insufficient rETH balance");
        uint256 ethAmount = getEthValue(_rethAmount);
        uint256 ethBalance = getTotalCollateral();
        require(ethBalance >= ethAmount, "Insufficient ETH balance for exchange");
        _burn(msg.sender, _rethAmount);
        withdrawDepositCollateral(ethAmount);
        payable(msg.sender).transfer(ethAmount);
        emit TokensBurned(msg.sender, _rethAmount, ethAmount, block.timestamp);
    }

    function withdrawDepositCollateral(uint256 _ethRequired) private {
        uint256 ethBalance = address(this).balance;
        if (ethBalance >= _ethRequired) { return; }
        DepositPoolForRETH(getContractAddress("rocketDepositPool")).withdrawExcessBalance(_ethRequired - ethBalance);
    }
}
